import { expect, test } from '@playwright/test';
import { simulatorPort } from './playwright.config.ts';

const simulator = `http://127.0.0.1:${simulatorPort}`;
const appSecret = 'e2e-app-secret-0123456789';

test('a new team signs up, connects WhatsApp, and answers a customer in the inbox', async ({
  page,
  request,
}) => {
  await page.goto('/');
  await page.getByRole('tab', { name: 'Create account' }).click();
  const signUp = page.getByRole('tabpanel', { name: 'Create account' });
  await signUp.getByLabel('Your name').fill('Ada Agent');
  await signUp.getByLabel('Email').fill(`ada-${Date.now()}@example.test`);
  await signUp.getByRole('textbox', { name: 'Password' }).fill('a long enough password');
  await signUp.getByLabel('Workspace name').fill('Jacket Shop');
  await signUp.getByRole('button', { name: 'Create account' }).click();
  await expect(page.getByRole('heading', { name: 'Inbox' })).toBeVisible();

  // Connect the simulator's WABA as a channel.
  await page.getByText('Channels', { exact: true }).click();
  await page.getByLabel('Channel name').fill('Main number');
  await page.getByLabel('Meta app id').fill('900000000000001');
  await page.getByRole('textbox', { name: 'App secret' }).fill(appSecret);
  await page.getByRole('textbox', { name: 'Verify token (you choose it)' }).fill('e2e-verify-token');
  await page.getByLabel('WhatsApp Business Account id').fill('310000000000001');
  await page.getByRole('textbox', { name: 'System user access token' }).fill('simulator-access-token');
  await page.getByRole('button', { name: 'Test and connect' }).click();
  const webhookUrl = (await page.getByTestId('webhook-url').textContent()) ?? '';
  expect(webhookUrl).toMatch(/\/webhooks\/whatsapp\/[a-z2-7]{32}$/);

  // Meta (the simulator) is told where to deliver, and a customer writes.
  expect(
    (await request.put(`${simulator}/_simulator/webhook`, { data: { url: webhookUrl, appSecret } })).ok(),
  ).toBe(true);
  const sent = await request.post(`${simulator}/_simulator/customer-messages`, {
    data: {
      phoneNumberId: '420000000000001',
      from: '15550123456',
      message: { type: 'text', text: { body: 'Is the blue jacket in stock?' } },
      profile: { name: 'Maya Lindqvist' },
    },
  });
  expect(sent.ok()).toBe(true);

  await page.getByText('Inbox', { exact: true }).click();
  await page.getByTestId('conversation').filter({ hasText: 'Maya Lindqvist' }).click();
  await expect(page.getByTestId('message').filter({ hasText: 'Is the blue jacket in stock?' })).toBeVisible();

  await page.getByRole('textbox', { name: 'Reply' }).fill('Yes! Blue, in M and L.');
  await page.getByRole('button', { name: 'Send' }).click();
  const reply = page.getByTestId('message').filter({ hasText: 'Yes! Blue, in M and L.' });
  await expect(reply).toBeVisible();
  await expect(reply.getByTestId('message-status')).toHaveAttribute('aria-label', /read/, {
    timeout: 15_000,
  });
  await page.screenshot({ path: test.info().outputPath('inbox.png'), fullPage: true });

  // The webhook log shows what Meta sent, and the change itself on click.
  await page.getByText('Webhook log', { exact: true }).click();
  const event = page.getByTestId('webhook-event').filter({ hasText: 'text message from 15550123456' });
  await expect(event).toBeVisible();
  await event.click();
  await expect(page.getByTestId('webhook-payload')).toContainText('Is the blue jacket in stock?');
  await expect(page.getByTestId('webhook-payload')).toBeInViewport();
  await page.screenshot({ path: test.info().outputPath('webhook-payload.png') });
  // The open payload has its own address: a reload keeps it open, closing it returns to the log.
  await expect(page).toHaveURL(/\/webhook-log\/[0-9a-f-]{36}$/);
  await page.reload();
  await expect(page.getByTestId('webhook-payload')).toContainText('Is the blue jacket in stock?');
  await page.keyboard.press('Escape');
  await expect(page).toHaveURL(/\/webhook-log$/);
  await expect(page.getByTestId('webhook-payload')).toHaveCount(0);
});
