import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deliveriesOfJob, webhookProcessPayload } from '../../jobs/queues.ts';
import { createLogger } from '../../logger.ts';
import { postWebhook, setupWebhookTestbed, webhookFixture } from '../../test/channels.ts';
import { processingDb, processWebhookJobs, type ProcessingDb } from '../webhooks/processing/process.ts';

// Issue 19, item 1: every inbound media message queues its media.fetch job in the transaction that
// stores it — through pg-boss's own insert (the outbox), not a trigger writing pgboss.job.

const parley = setupWebhookTestbed({ workers: false });

const state = (wamid: string) =>
  parley.db.pools.owner.one(sql.type(
    z.object({ messages: z.number(), media: z.number(), jobs: z.number(), queued: z.number() }),
  )`
    select (select count(*)::int from app_public.messages where wamid = ${wamid}) as messages,
           (select count(*)::int from app_public.media d join app_public.messages m on m.id = d.message_id
            where m.wamid = ${wamid}) as media,
           (select count(*)::int from pgboss.job j
            where j.name = 'media.fetch' and (j.data->>'mediaId')::uuid in (
              select d.id from app_public.media d join app_public.messages m on m.id = d.message_id
              where m.wamid = ${wamid})) as jobs,
           (select count(*)::int from app_public.media d join app_public.messages m on m.id = d.message_id
            where m.wamid = ${wamid} and d.fetch_queued_at is not null) as queued
  `);

/** The posted deliveries' webhook.process jobs, as a worker would get them. */
async function fetchDeliveries() {
  const jobs = await parley.app.services.boss.fetch('webhook.process', { batchSize: 100 });
  return jobs.flatMap((job) =>
    deliveriesOfJob(webhookProcessPayload.parse(job.data)).map((delivery) => ({
      jobId: job.id,
      ...delivery,
    })),
  );
}

async function finish(deliveries: { jobId: string }[]) {
  await parley.app.services.boss.complete('webhook.process', [...new Set(deliveries.map((d) => d.jobId))]);
}

describe('queueing the download of inbound media', () => {
  it('writes the message, its media row and its media.fetch job in one transaction, or none of them', async () => {
    const body = webhookFixture('image.json');
    const wamid = (
      JSON.parse(body.toString()) as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }
    ).entry[0]!.changes[0]!.value.messages[0]!.id;
    expect((await postWebhook(parley.app, parley.channel, body)).statusCode).toBe(200);

    // The tenant's transaction fails after storing everything (a lost connection, a crash before
    // commit): neither the message, nor its media row, nor the job survive.
    const real = processingDb(parley.app.services);
    const crashing: ProcessingDb = {
      ...real,
      inTenant: (tenantId, fn) =>
        real.inTenant(tenantId, async (tx, outbox) => {
          await fn(tx, outbox);
          throw new Error('connection lost before commit');
        }),
    };
    const deliveries = await fetchDeliveries();
    const logger = createLogger('silent');
    expect((await processWebhookJobs(crashing, logger, deliveries)).size).toBe(1);
    expect(await state(wamid)).toEqual({ messages: 0, media: 0, jobs: 0, queued: 0 });

    // Processed again (the job's retry): all three commit together, the job once.
    expect((await processWebhookJobs(real, logger, deliveries)).size).toBe(0);
    await finish(deliveries);
    expect(await state(wamid)).toEqual({ messages: 1, media: 1, jobs: 1, queued: 1 });
    const [job] = await parley.app.services.boss.fetch<{ tenantId: string; mediaId: string }>('media.fetch');
    expect(job?.data).toEqual({ tenantId: parley.tenantId, mediaId: expect.any(String) });
    // pg-boss's own insert wrote it: the queue's policy (retries with backoff, dead letter) is on the job.
    const policy = await parley.db.pools.owner.one(sql.type(
      z.object({ retryLimit: z.number(), retryBackoff: z.boolean(), deadLetter: z.string().nullable() }),
    )`
      select retry_limit as "retryLimit", retry_backoff as "retryBackoff", dead_letter as "deadLetter"
      from pgboss.job where id = ${job!.id}
    `);
    expect(policy).toEqual({ retryLimit: 6, retryBackoff: true, deadLetter: 'media.fetch.dead' });

    // A replay of the same delivery stores nothing twice and queues no second download.
    expect((await postWebhook(parley.app, parley.channel, body)).statusCode).toBe(200);
    const replayed = await fetchDeliveries();
    expect((await processWebhookJobs(real, logger, replayed)).size).toBe(0);
    await finish(replayed);
    expect(await state(wamid)).toEqual({ messages: 1, media: 1, jobs: 1, queued: 1 });
  });

  it('leaves pg-boss’s job table to pg-boss: no media function or trigger touches it', async () => {
    const writers = await parley.db.pools.owner.anyFirst(sql.type(z.object({ name: z.string() }))`
      select p.proname as name from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname in ('app_public', 'app_private') and p.proname ~ 'media' and p.prosrc ~* 'pgboss'
    `);
    expect(writers).toEqual([]);
  });
});
