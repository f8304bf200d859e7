import pg from 'pg';
import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { processingDb, processWebhookJobs } from '../domains/webhooks/processing/process.ts';
import { createLogger } from '../logger.ts';
import { postWebhook, setupWebhookTestbed } from '../test/channels.ts';
import { deliveriesOfJob, webhookProcessPayload } from './queues.ts';

// Issue 20, realtime: what stands between a webhook's commit and its message reaching the inbox.
const parley = setupWebhookTestbed({ workers: false, second: true });

const text = (waba: string, number: string, from: string, wamid: string) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: waba,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550101010', phone_number_id: number },
              contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
              messages: [
                {
                  from,
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: 'Hi' },
                },
              ],
            },
          },
        ],
      },
    ],
  });

const stored = (wamid: string) =>
  parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from app_public.messages where wamid = ${wamid}`);

describe('webhook processing of several workspaces', () => {
  it("does not hold one workspace's messages behind another workspace's transaction", async () => {
    const first = await postWebhook(
      parley.app,
      parley.channel,
      text('310000000000001', '420000000000001', '15550001001', 'wamid.latency-first'),
    );
    const second = await postWebhook(
      parley.app,
      parley.second.channel,
      text('310000000000002', '420000000000002', '15550001002', 'wamid.latency-second'),
    );
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const jobs = await parley.app.services.boss.fetch('webhook.process', { batchSize: 10 });
    expect(jobs).toHaveLength(2);

    // The first workspace's processing is held up (a slow transaction of that workspace is storing the
    // same customer, so its upsert waits for that commit): the second workspace's message must not wait.
    const blocker = new pg.Client({ connectionString: parley.db.url });
    await blocker.connect();
    try {
      await blocker.query('begin');
      await blocker.query(`insert into app_public.contacts (tenant_id, wa_id) values ($1, '15550001001')`, [
        parley.tenantId,
      ]);
      const processing = processWebhookJobs(
        processingDb(parley.app.services),
        createLogger('silent'),
        jobs.flatMap((job) =>
          deliveriesOfJob(webhookProcessPayload.parse(job.data)).map((delivery) => ({
            jobId: job.id,
            ...delivery,
          })),
        ),
      );
      await expect.poll(() => stored('wamid.latency-second'), { timeout: 10_000 }).toBe(1);
      expect(await stored('wamid.latency-first')).toBe(0);
      await blocker.query('commit');
      expect(await processing).toEqual(new Map());
      expect(await stored('wamid.latency-first')).toBe(1);
    } finally {
      await blocker.end();
    }
  });
});
