import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { createLogger } from '../../logger.ts';
import { postWebhook, processed, webhookFixture, setupWebhookTestbed } from '../../test/channels.ts';
import { createTenant } from '../../test/factories.ts';
import { call } from '../../test/http-client.ts';
import { processingDb, processWebhookJobs } from './processing/process.ts';

// Issue 14: replays are bounded and deduplicated, and one delivery never runs twice at once (item 5);
// the worker's SECURITY DEFINER functions hand nothing to callers that are not processing (item 11).

const parley = setupWebhookTestbed({ owner: true });
let otherTenant: string;

beforeAll(async () => {
  otherTenant = (await createTenant(parley.db.pools.owner)).id;
  for (let i = 0; i < 3; i++) {
    const body = webhookFixture('text.json').toString().replace('000000000001AA==', `RPL${i}00000000==`);
    expect((await postWebhook(parley.app, parley.channel, body)).statusCode).toBe(200);
  }
  await processed(parley.app);
});

const deliveryIds = () =>
  parley.db.pools.owner.anyFirst(sql.type(z.object({ id: z.string() }))`
    select id from app_private.webhook_deliveries order by id
  `);
const asApp = (target: FastifyInstance) => target.services.pools.app;
const wamidCount = (fragment: string) =>
  parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from app_public.messages where wamid like ${`%${fragment}%`}
  `);

describe('definer functions of the webhook worker', () => {
  it('hand no delivery body to a caller that is not working its job', async () => {
    const pool = asApp(parley.app);
    const [delivery] = await deliveryIds();
    const finishedJob = await parley.db.pools.owner.oneFirst(sql.type(z.object({ id: z.string() }))`
      select id from pgboss.job where name = 'webhook.process' and data->>'deliveryId' = ${delivery ?? ''}
    `);
    const claimed = await pool.any(sql.unsafe`
      select * from app_public.claim_webhook_jobs(${sql.array([finishedJob, '0190d5e0-0000-7000-8000-000000000000'], 'uuid')})
    `);
    expect(claimed).toEqual([]);
    // The functions that took any delivery id are gone.
    const old = await pool.anyFirst(sql.type(z.object({ f: z.string().nullable() }))`
      select to_regprocedure(f)::text as f from unnest(array[
        'app_public.webhook_deliveries_batch(uuid[])', 'app_public.tenant_webhook_deliveries(uuid[])',
        'app_public.route_phone_number(text)', 'app_public.route_waba(text)'
      ]) f
    `);
    expect(old).toEqual([null, null, null, null]);
  });

  it('route, record and finish only deliveries a worker has claimed', async () => {
    const pool = asApp(parley.app);
    const routes = await pool.any(sql.unsafe`
      select * from app_public.webhook_routes(
        ${sql.array([parley.channel.appKey], 'text')}, ${sql.array(['number'], 'text')}, ${sql.array(['420000000000001'], 'text')}
      )
    `);
    expect(routes).toEqual([]);
    const [delivery] = await deliveryIds();
    await pool.query(sql.unsafe`
      select app_public.finish_webhook_deliveries(${sql.array([delivery ?? ''], 'uuid')}, ${sql.array(['forged'], 'text')})
    `);
    await pool.query(sql.unsafe`
      select app_public.record_unrouted_webhook_events(${sql.jsonb([
        { delivery_id: delivery, change_index: 99, field: 'messages', payload: {} },
      ])})
    `);
    const after = await parley.db.pools.owner.one(sql.type(
      z.object({ status: z.string(), unrouted: z.number() }),
    )`
      select status, (select count(*)::int from app_private.unrouted_webhook_events) as unrouted
      from app_private.webhook_deliveries d where id = ${delivery ?? ''}
    `);
    expect(after).toEqual({ status: 'processed', unrouted: 0 });
  });

  it('let a workspace replay only its own deliveries', async () => {
    const ids = await deliveryIds();
    const marked = await withTenant(asApp(parley.app), otherTenant, (tx) =>
      tx.any(sql.type(z.object({ id: z.string().nullable(), remaining: z.number() }))`
        select * from app_public.mark_webhook_replay(${sql.array(ids, 'uuid')}, 100)
      `),
    );
    expect(marked).toEqual([{ id: null, remaining: 0 }]);
  });
});

describe('replay', () => {
  const replay = async (input: Record<string, unknown> = {}) =>
    (
      await call(parley.app, 'mutation', 'webhook.replay', input, {
        cookie: parley.owner.token,
      })
    ).data;
  const openJobs = () =>
    parley.db.pools.owner.any(sql.type(z.object({ d: z.string(), priority: z.number() }))`
      select data->>'deliveryId' as d, priority from pgboss.job
      where name = 'webhook.process' and state < 'completed' order by d
    `);

  it('marks at most the given number per call and says how many remain', async () => {
    const ids = await deliveryIds();
    const marked = await withTenant(asApp(parley.app), parley.owner.tenantId, (tx) =>
      tx.any(sql.type(z.object({ id: z.string().nullable(), remaining: z.number() }))`
        select * from app_public.mark_webhook_replay(${sql.array(ids, 'uuid')}, 2)
      `),
    );
    expect(marked.map((row) => row.remaining)).toEqual([1, 1]);
    // Undo the marks (no jobs were queued for them).
    await parley.db.pools.owner.query(
      sql.unsafe`update app_private.webhook_deliveries set replay_queued_at = null`,
    );
  });

  it('does not replay a failed delivery whose own job is waiting to retry it, or still running', async () => {
    const [delivery] = await deliveryIds();
    const job = await parley.db.pools.owner.oneFirst(sql.type(z.object({ id: z.string() }))`
      select id from pgboss.job where name = 'webhook.process' and data->>'deliveryId' = ${delivery ?? ''}
    `);
    const setState = (status: string, state: string) =>
      parley.db.pools.owner.query(sql.unsafe`
        with d as (update app_private.webhook_deliveries set status = ${status} where id = ${delivery ?? ''})
        update pgboss.job set state = ${state}::pgboss.job_state where id = ${job}
      `);
    const mark = () =>
      withTenant(asApp(parley.app), parley.tenantId, (tx) =>
        tx.anyFirst(sql.type(z.object({ id: z.string().nullable() }))`
          select id from app_public.mark_webhook_replay(${sql.array([delivery ?? ''], 'uuid')}, 10)
        `),
      );
    await setState('failed', 'retry');
    try {
      expect(await mark()).toEqual([null]);
      // Between the failure being recorded and pg-boss moving the job to retry, it is still active.
      await setState('failed', 'active');
      expect(await mark()).toEqual([null]);
    } finally {
      await setState('processed', 'completed');
    }
    expect(await mark()).toEqual([delivery]);
    await parley.db.pools.owner.query(
      sql.unsafe`update app_private.webhook_deliveries set replay_queued_at = null`,
    );
  });

  it('queues each delivery once, however often and concurrently it is asked, behind fresh deliveries', async () => {
    await parley.app.services.boss.offWork('webhook.process'); // keep the queued jobs in sight
    const results = await Promise.all(Array.from({ length: 5 }, () => replay({})));
    expect(results.reduce((sum, r) => sum + r.queued, 0)).toBe(3);
    expect(results.every((r) => r.remaining === 0 && !r.more)).toBe(true);
    expect(await replay({})).toEqual({ queued: 0, remaining: 0, more: false });
    const jobs = await openJobs();
    expect(jobs).toHaveLength(3);
    expect(new Set(jobs.map((job) => job.d)).size).toBe(3);
    expect(jobs.every((job) => job.priority < 0)).toBe(true);
  });

  it('processes one delivery once when two jobs for it run at the same time', async () => {
    const [delivery] = await deliveryIds();
    // A second job for the same delivery, as a race between a retry and a replay would leave.
    await parley.app.services.boss.insert('webhook.process', [{ data: { deliveryId: delivery } }]);
    const jobs = await parley.app.services.boss.fetch<{ deliveryId: string }>('webhook.process', {
      batchSize: 10,
    });
    const forDelivery = jobs.filter((job) => job.data.deliveryId === delivery);
    expect(forDelivery).toHaveLength(2);
    const logger = createLogger('silent');
    const outcomes = await Promise.all(
      forDelivery.map((job) =>
        processWebhookJobs(processingDb(parley.app.services), logger, [
          { jobId: job.id, deliveryId: job.data.deliveryId },
        ]),
      ),
    );
    // One processed it; the other found it claimed and is to be retried (then harmlessly, once it is done).
    expect(outcomes.map((failures) => failures.size).sort()).toEqual([0, 1]);
    const state = await parley.db.pools.owner.one(sql.type(
      z.object({ status: z.string(), claimed: z.boolean(), messages: z.number() }),
    )`
      select status, exists (select 1 from app_private.webhook_claims c where c.delivery_id = d.id) as claimed,
             (select count(*)::int from app_public.messages where wamid like '%RPL%') as messages
      from app_private.webhook_deliveries d where id = ${delivery ?? ''}
    `);
    expect(state).toEqual({ status: 'processed', claimed: false, messages: 3 });
    await parley.app.services.boss.complete(
      'webhook.process',
      jobs.map((job) => job.id),
    );
  });

  it('lets a crashed worker’s job, retried under the same id, take its own claim back at once', async () => {
    const body = webhookFixture('text.json').toString().replace('000000000001AA==', 'CRASH0000001==');
    expect((await postWebhook(parley.app, parley.channel, body)).statusCode).toBe(200);
    const [job] = await parley.app.services.boss.fetch<{ deliveryId: string }>('webhook.process', {
      batchSize: 1,
    });
    expect(job?.data.deliveryId).toBeDefined();
    if (!job) return;
    // The worker claims the delivery, then dies before finishing; pg-boss puts the job up for retry.
    await asApp(parley.app).query(
      sql.unsafe`select * from app_public.claim_webhook_jobs(${sql.array([job.id], 'uuid')})`,
    );
    await parley.app.services.boss.fail('webhook.process', job.id);
    await parley.db.pools.owner.query(
      sql.unsafe`update pgboss.job set start_after = now() where id = ${job.id}`,
    );
    const [again] = await parley.app.services.boss.fetch<{ deliveryId: string }>('webhook.process', {
      batchSize: 1,
    });
    expect(again?.id).toBe(job.id);
    const failures = await processWebhookJobs(processingDb(parley.app.services), createLogger('silent'), [
      { jobId: job.id, deliveryId: job.data.deliveryId },
    ]);
    expect(failures.size).toBe(0);
    await parley.app.services.boss.complete('webhook.process', job.id);
    expect(await wamidCount('CRASH')).toBe(1);
  });

  it('claims a delivery without rewriting its stored row (the ~1.2 KB body is written at ingest and once when finished)', async () => {
    const body = webhookFixture('text.json').toString().replace('000000000001AA==', 'CTID00000001==');
    expect((await postWebhook(parley.app, parley.channel, body)).statusCode).toBe(200);
    const [job] = await parley.app.services.boss.fetch<{ deliveryId: string }>('webhook.process', {
      batchSize: 1,
    });
    if (!job) throw new Error('no job');
    const row = () =>
      parley.db.pools.owner.one(sql.type(
        z.object({ ctid: z.string(), status: z.string(), claims: z.number() }),
      )`
        select ctid::text as ctid, status,
               (select count(*)::int from app_private.webhook_claims c where c.delivery_id = d.id) as claims
        from app_private.webhook_deliveries d where id = ${job.data.deliveryId}
      `);
    const stored = await row();
    await asApp(parley.app).query(
      sql.unsafe`select * from app_public.claim_webhook_jobs(${sql.array([job.id], 'uuid')})`,
    );
    // The same row version: claiming wrote only the claim.
    expect(await row()).toEqual({ ...stored, claims: 1 });
    const failures = await processWebhookJobs(processingDb(parley.app.services), createLogger('silent'), [
      { jobId: job.id, deliveryId: job.data.deliveryId },
    ]);
    expect(failures.size).toBe(0);
    await parley.app.services.boss.complete('webhook.process', job.id);
    expect(await row()).toMatchObject({ status: 'processed', claims: 0 });
  });
});
