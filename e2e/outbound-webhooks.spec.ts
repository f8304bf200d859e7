import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, test } from '@playwright/test';
import { goTo, signUp, startSandbox } from './support.ts';

interface Received {
  signature: string;
  body: string;
}

/** An integrator's endpoint on this machine (the e2e server runs with OUTBOUND_WEBHOOKS_ALLOW_PRIVATE=on). */
async function startReceiver() {
  const received: Received[] = [];
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      received.push({ signature: String(request.headers['parley-signature']), body });
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { received, server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks` };
}

test('an admin registers a webhook endpoint, a customer writes, the signed delivery shows in the log and is replayed', async ({
  page,
}) => {
  // Signing up, starting the sandbox and two deliveries take long on a loaded machine.
  test.setTimeout(120_000);
  const receiver = await startReceiver();
  try {
    await page.goto('/');
    await signUp(page, 'Wendy Webhook', 'Hook Shop');
    await goTo(page, 'Settings');
    await page.getByRole('navigation', { name: 'Settings' }).getByText('Webhooks', { exact: true }).click();
    await expect(page.getByText('No endpoints yet.')).toBeVisible();

    await page.getByLabel('Endpoint URL').fill(receiver.url);
    await page.getByLabel('Description').fill('Our CRM');
    await page.getByRole('checkbox', { name: 'conversation.resolved' }).check();
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = (await page.getByTestId('new-webhook-secret').textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);
    await expect(page.getByRole('cell', { name: receiver.url })).toBeVisible();
    await page.screenshot({ path: test.info().outputPath('outbound-webhooks-created.png'), fullPage: true });

    // The sandbox's customer writes at once: a message.received event.
    await startSandbox(page);
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    const [first] = receiver.received;
    const t = /t=(\d+)/.exec(first?.signature ?? '')?.[1] ?? '';
    const expected = createHmac('sha256', secret)
      .update(`${t}.${first?.body ?? ''}`)
      .digest('hex');
    expect(first?.signature).toBe(`t=${t},v1=${expected}`);
    expect(JSON.parse(first?.body ?? '{}')).toMatchObject({ type: 'message.received' });

    await goTo(page, 'Settings');
    await page.getByRole('navigation', { name: 'Settings' }).getByText('Webhooks', { exact: true }).click();
    await expect(page.getByText('This secret')).toHaveCount(0);
    await expect(page.getByTestId('new-webhook-secret')).toHaveCount(0);
    const log = page.getByRole('table').last();
    await expect(log.getByTestId('delivery-status').first()).toHaveText('succeeded');
    await expect(log.getByRole('cell', { name: '200', exact: true }).first()).toBeVisible();
    const before = receiver.received.length;
    await log.getByRole('button', { name: 'Replay' }).first().click();
    await expect.poll(() => receiver.received.length, { timeout: 20_000 }).toBe(before + 1);
    expect(JSON.parse(receiver.received.at(-1)?.body ?? '{}')).toEqual(JSON.parse(first?.body ?? '{}'));
    await expect(log.getByTestId('delivery-status')).toHaveCount(before + 1);
    await expect(log.getByTestId('delivery-status').first()).toHaveText('succeeded');
    await page.screenshot({ path: test.info().outputPath('outbound-webhooks-log.png'), fullPage: true });
  } finally {
    await new Promise((resolve) => receiver.server.close(resolve));
  }
});
