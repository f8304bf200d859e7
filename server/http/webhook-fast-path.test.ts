import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { postWebhook, processed, setupWebhookTestbed, webhookFixture } from '../test/channels.ts';
import { signWebhookBody } from '../whatsapp/signature.ts';

// Meta's POSTs over real HTTP take the fast path in front of Fastify; app.inject (every other webhook
// test) takes the Fastify route. Both must answer alike and store alike.
const parley = setupWebhookTestbed();
let base = '';

// The app's close (setupWebhookTestbed) closes the listening server too.
beforeAll(async () => {
  base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
});

async function overHttp(
  body: Buffer | string,
  init: { signature?: string | null; headers?: object; path?: string } = {},
) {
  const signature =
    init.signature === undefined ? signWebhookBody(parley.channel.appSecret, body) : init.signature;
  const response = await fetch(`${base}${init.path ?? `/webhooks/whatsapp/${parley.channel.appKey}`}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
      ...init.headers,
    },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  return {
    statusCode: response.status,
    contentType: response.headers.get('content-type'),
    requestId: response.headers.get('x-request-id'),
    body: await response.text(),
  };
}

const deliveries = () =>
  parley.db.pools.owner.oneFirst(
    sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_private.webhook_deliveries`,
  );
const messages = (wamidEnd: string) =>
  parley.db.pools.owner.oneFirst(
    sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from app_public.messages where wamid like ${`%${wamidEnd}`}
    `,
  );
const textWith = (wamidEnd: string) =>
  webhookFixture('text.json').toString().replace('000000000001AA==', wamidEnd);

describe('webhook POSTs over HTTP (the fast path in front of Fastify)', () => {
  it('stores a signed delivery once, answers after the commit as the Fastify route does, and keeps the request id', async () => {
    const before = await deliveries();
    const fast = await overHttp(textWith('FAST00000001=='), { headers: { 'x-request-id': 'edge-fast-1' } });
    const routed = await postWebhook(parley.app, parley.channel, textWith('FAST00000002=='));
    expect(fast).toEqual({
      statusCode: 200,
      contentType: routed.headers['content-type'],
      requestId: 'edge-fast-1',
      body: routed.body,
    });
    expect(await deliveries()).toBe(before + 2);
    await processed(parley.app);
    expect(await messages('FAST00000001==')).toBe(1);
    const requestIds = await parley.db.pools.owner.anyFirst(sql.type(z.object({ r: z.string().nullable() }))`
      select data->>'requestId' as r from pgboss.job where name = 'webhook.process' and data->>'requestId' = 'edge-fast-1'
    `);
    expect(requestIds).toEqual(['edge-fast-1']);
  });

  it('stores 100 concurrent POSTs exactly once each', async () => {
    const before = await deliveries();
    const answers = await Promise.all(
      Array.from({ length: 100 }, (_, i) => overHttp(textWith(`${String(i).padStart(12, '0')}FF==`))),
    );
    expect(answers.every((answer) => answer.statusCode === 200)).toBe(true);
    expect(new Set(answers.map((answer) => answer.requestId)).size).toBe(100);
    expect(await deliveries()).toBe(before + 100);
    await processed(parley.app);
    expect(await messages('FF==')).toBe(100);
  });

  it('refuses a missing or wrong signature with the same 401, stores nothing, and counts it on the channel', async () => {
    const before = await deliveries();
    const body = webhookFixture('text.json');
    const missing = await overHttp(body, { signature: null });
    const wrong = await overHttp(body, { signature: `sha256=${'0'.repeat(64)}` });
    const routed = await postWebhook(parley.app, parley.channel, body, null);
    for (const answer of [missing, wrong]) {
      expect(answer.statusCode).toBe(401);
      expect(answer.contentType).toBe(routed.headers['content-type']);
      expect(JSON.parse(answer.body)).toEqual(routed.json());
    }
    expect(await deliveries()).toBe(before);
    // The counts reach the channel at the next flush (every few seconds).
    await expect
      .poll(
        () =>
          parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
            select rejected_signatures::int as n from app_public.channels where id = ${parley.channel.channelId}
          `),
        { timeout: 10_000, interval: 200 },
      )
      .toBeGreaterThanOrEqual(3);
  });

  it('stores a signed body that is not JSON as invalid_json', async () => {
    const body = '{"object": "whatsapp_business_account", "fast": [';
    expect((await overHttp(body)).statusCode).toBe(200);
    const stored = await parley.db.pools.owner.anyFirst(sql.type(z.object({ status: z.string() }))`
      select status from app_private.webhook_deliveries where body = convert_to(${body}, 'UTF8')
    `);
    expect(stored).toEqual(['invalid_json']);
  });

  it('refuses bodies over 3 MB with the same 413 and stores nothing', async () => {
    const before = await deliveries();
    const huge = JSON.stringify({
      object: 'whatsapp_business_account',
      padding: 'x'.repeat(3 * 1024 * 1024),
    });
    const fast = await overHttp(huge);
    const routed = await postWebhook(parley.app, parley.channel, huge);
    expect(fast.statusCode).toBe(413);
    expect(JSON.parse(fast.body)).toEqual(routed.json());
    expect(await deliveries()).toBe(before);
  });

  it('leaves every other request to Fastify', async () => {
    const challenge = await fetch(
      `${base}/webhooks/whatsapp/${parley.channel.appKey}?hub.mode=subscribe&hub.verify_token=${parley.channel.verifyToken}&hub.challenge=77`,
    );
    expect(await challenge.text()).toBe('77');
    const nested = await overHttp('{}', { path: `/webhooks/whatsapp/${parley.channel.appKey}/extra` });
    expect(nested.statusCode).toBe(404);
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(health.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
