import { randomUUID } from 'node:crypto';
import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { uuidv7 } from '../../../db/uuid.ts';
import { postWebhook, processed, webhookFixture, setupWebhookTestbed } from '../../../test/channels.ts';
import { call } from '../../../test/http-client.ts';
import { withTenant } from '../../../db/tx.ts';
import { preparedDays, purgeExpiredWebhookEvents, runWebhookRetention } from './retention.ts';

const parley = setupWebhookTestbed({ owner: true, second: true });
const day = 24 * 3600 * 1000;

const deliveryIds = () =>
  parley.db.pools.owner.anyFirst(
    sql.type(z.object({ id: z.string() }))`select id from app_private.webhook_deliveries order by id`,
  );
const partitionOf = (id: string) =>
  parley.db.pools.owner.oneFirst(sql.type(z.object({ p: z.string() }))`
    select tableoid::regclass::text as p from app_private.webhook_deliveries where id = ${id}`);

/** A delivery stored directly, as ingest stores it, at a given time. */
async function storeDelivery(id: string, receivedAt: Date): Promise<void> {
  await parley.db.pools.owner.query(sql.unsafe`
    insert into app_private.webhook_deliveries (id, app_key, body, status, received_at)
    values (${id}, ${parley.channel.appKey}, ${sql.binary(Buffer.from('{}'))}, 'processed', ${receivedAt.toISOString()})`);
}

describe('webhook retention', () => {
  it('keeps the coming days ready, so deliveries land in their own day, not the default partition', async () => {
    await runWebhookRetention(parley.db.pools.owner, 30);
    expect((await postWebhook(parley.app, parley.channel, webhookFixture('text.json'))).statusCode).toBe(200);
    const [id] = await deliveryIds();
    const today = new Date().toISOString().slice(0, 10).replaceAll('-', '');
    expect(await partitionOf(id ?? '')).toBe(`app_private.webhook_deliveries_${today}`);
    const days = await parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from pg_inherits
      where inhparent = 'app_private.webhook_deliveries'::regclass`);
    expect(days).toBeGreaterThanOrEqual(preparedDays + 1); // the days and the default partition
  });

  it('drops deliveries older than the retention period, keeps recent ones, and the log still reads', async () => {
    await postWebhook(parley.app, parley.channel, webhookFixture('status-sent.json'));
    await processed(parley.app);
    const stored = await deliveryIds();
    expect(stored).toHaveLength(2);

    // Forty days from now, today's deliveries are past a 30-day retention. A delivery made then, and
    // one whose id no prepared day covers (the default partition), are recent and stay.
    const later = new Date(Date.now() + 40 * day);
    await runWebhookRetention(parley.db.pools.owner, 365, new Date(later.getTime() - 2 * day)); // prepares those days
    const recent = uuidv7(later.getTime() - day);
    await storeDelivery(recent, new Date(later.getTime() - day));
    const strayRecent = randomUUID();
    await storeDelivery(strayRecent, new Date(later.getTime() - day));
    const strayOld = randomUUID();
    await storeDelivery(strayOld, new Date(later.getTime() - 31 * day));

    const result = await runWebhookRetention(parley.db.pools.owner, 30, later);
    expect(result.droppedDays).toBeGreaterThanOrEqual(1);
    expect(result.deletedRows).toBe(1);
    expect([...(await deliveryIds())].sort()).toEqual([recent, strayRecent].sort());

    // The workspace's log still lists both changes and shows them in full; replaying finds no body.
    const log = await call(parley.app, 'query', 'webhook.list', {}, { cookie: parley.owner.token });
    expect(log.data.events).toHaveLength(2);
    const detail = await call(
      parley.app,
      'query',
      'webhook.byId',
      { id: log.data.events[0]?.id },
      { cookie: parley.owner.token },
    );
    expect(detail.status).toBe(200);
    expect(detail.data.payload).toBeTruthy();
    const replay = await call(parley.app, 'mutation', 'webhook.replay', {}, { cookie: parley.owner.token });
    expect(replay.data.queued).toBe(0);
  });

  it('deletes each workspace’s log entries older than the same retention, in bounded batches', async () => {
    const now = Date.now();
    /** Log entries of a workspace, written as processing writes them, `daysAgo` days old. */
    const logEntries = (tenantId: string, daysAgo: number, count: number) =>
      withTenant(parley.db.pools.app, tenantId, (tx) =>
        tx.query(sql.unsafe`
          insert into app_public.webhook_events (tenant_id, delivery_id, change_index, field, summary, payload, created_at)
          select ${tenantId}, ${uuidv7(now - daysAgo * day)}, i, 'messages', 'a change', '{}'::jsonb,
                 ${new Date(now - daysAgo * day).toISOString()}
          from generate_series(1, ${count}) i`),
      );
    const remainingOf = (tenantId: string) =>
      withTenant(parley.db.pools.app, tenantId, (tx) =>
        tx.one(sql.type(z.object({ old: z.number(), recent: z.number() }))`
          select count(*) filter (where created_at < now() - interval '30 days')::int as old,
                 count(*) filter (where created_at >= now() - interval '30 days')::int as recent
          from app_public.webhook_events`),
      );
    await logEntries(parley.tenantId, 45, 7);
    await logEntries(parley.tenantId, 5, 2);
    await logEntries(parley.second.tenantId, 31, 3);
    const before = {
      first: await remainingOf(parley.tenantId),
      second: await remainingOf(parley.second.tenantId),
    };

    const deleted = await purgeExpiredWebhookEvents(parley.db.pools, 30, { batchSize: 2 });

    expect(deleted).toBe(10);
    expect(await remainingOf(parley.tenantId)).toEqual({ old: 0, recent: before.first.recent });
    expect(await remainingOf(parley.second.tenantId)).toEqual({ old: 0, recent: before.second.recent });
  });
});
