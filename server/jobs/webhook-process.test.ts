import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../db/tx.ts';
import { postWebhook, processed, setupWebhookTestbed } from '../test/channels.ts';
import { register } from './handlers/webhook-process.ts';

// Issue 17: webhook.process fetches are sized by deliveries, not jobs. At low ingest concurrency every
// group commit is a job of one delivery; a full fetch of such jobs is topped up to a run of ~500.

const parley = setupWebhookTestbed({ workers: false });

const text = (n: number) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '310000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550101010', phone_number_id: '420000000000001' },
              contacts: [
                { profile: { name: `Customer ${n}` }, wa_id: `1555030${String(n).padStart(4, '0')}` },
              ],
              messages: [
                {
                  from: `1555030${String(n).padStart(4, '0')}`,
                  id: `wamid.topup-${n}`,
                  timestamp: '1763990000',
                  type: 'text',
                  text: { body: `hello ${n}` },
                },
              ],
            },
          },
        ],
      },
    ],
  });

describe('webhook.process fetches', () => {
  it('tops full fetches of one-delivery jobs up to runs of ~500 deliveries, and completes every job it took', async () => {
    // One POST at a time: each is its own group commit, so its own job of one delivery.
    for (let n = 0; n < 300; n++)
      expect((await postWebhook(parley.app, parley.channel, text(n))).statusCode).toBe(200);
    await register(parley.app.services);
    await processed(parley.app, 30_000);

    // The jobs fetched on top of pg-boss's 100 are completed by the handler, not left active.
    const states = () =>
      parley.app.services.pools.owner.any(
        sql.type(z.object({ state: z.string(), n: z.number() }))`
          select state::text, count(*)::int as n from pgboss.job where name = 'webhook.process' group by 1
        `,
      );
    await expect.poll(states, { timeout: 10_000 }).toEqual([{ state: 'completed', n: 300 }]);

    const runs = await withTenant(parley.app.services.pools.app, parley.tenantId, (tx) =>
      tx.one(
        sql.type(z.object({ messages: z.number(), transactions: z.number() }))`
          select (select count(*)::int from app_public.messages where wamid like 'wamid.topup-%') as messages,
                 (select count(distinct created_at)::int from app_public.webhook_events) as transactions
        `,
      ),
    );
    // A tenant transaction's now() stamps its log rows. pg-boss's fetches of 100 jobs would make three
    // runs; topped up, each of the two concurrent fetches holds all it took in one run.
    expect(runs.messages).toBe(300);
    expect(runs.transactions).toBeLessThanOrEqual(2);
  });
});
