import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Pools } from '../../../db/pools.ts';
import { withTenant } from '../../../db/tx.ts';
import { allTenantIds, deleteWebhookEventsBefore } from './queries.ts';

/** Days of delivery partitions kept ready ahead of today, so ingest never writes into the default one. */
export const preparedDays = 7;

export interface RetentionResult {
  createdDays: number;
  droppedDays: number;
  /** Deliveries deleted one by one from the default partition (ids outside the prepared days). */
  deletedRows: number;
}

/**
 * Keeps webhook delivery bodies for `retentionDays`: prepares the coming days' partitions and drops
 * the days that ended before the cutoff (sql/functions/89-webhook-retention.sql). Runs as the owner,
 * who owns the partitions; safe to run at any time and on several nodes at once (a lock wait times out
 * and the next run finishes the work).
 */
export async function runWebhookRetention(
  owner: DatabasePool,
  retentionDays: number,
  now = new Date(),
): Promise<RetentionResult> {
  const today = now.toISOString().slice(0, 10);
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 3600 * 1000).toISOString();
  const createdDays = await owner.oneFirst(
    sql.type(z.object({ created: z.number() }))`
      select app_private.prepare_webhook_delivery_days(${today}::date, ${preparedDays}) as created`,
  );
  const dropped = await owner.one(
    sql.type(z.object({ droppedDays: z.number(), deletedRows: z.number() }))`
      select dropped_days as "droppedDays", deleted_rows as "deletedRows" from app_private.drop_webhook_delivery_days(${cutoff}::timestamptz)`,
  );
  return { createdDays, ...dropped };
}

/** How many log entries one statement deletes: short transactions, however much has piled up. */
export const webhookEventsBatchSize = 5_000;

/**
 * The workspace's webhook log (app_public.webhook_events) follows the same retention as the bodies:
 * entries older than `retentionDays` are deleted, workspace by workspace under its own tenant scope,
 * in batches of `batchSize` oldest first (each its own transaction, walking webhook_events_recent_idx).
 * Returns how many entries were deleted.
 */
export async function purgeExpiredWebhookEvents(
  pools: Pick<Pools, 'owner' | 'app'>,
  retentionDays: number,
  { batchSize = webhookEventsBatchSize, now = new Date() }: { batchSize?: number; now?: Date } = {},
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 3600 * 1000).toISOString();
  const tenantIds = await pools.owner.anyFirst(allTenantIds());
  let deleted = 0;
  for (const tenantId of tenantIds) {
    for (;;) {
      const batch = await withTenant(pools.app, tenantId, (tx) =>
        tx.query(deleteWebhookEventsBefore(cutoff, batchSize)),
      );
      deleted += batch.rowCount;
      if (batch.rowCount < batchSize) break;
    }
  }
  return deleted;
}
