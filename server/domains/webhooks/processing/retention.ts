import type { PgBoss } from 'pg-boss';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { registerWorker } from '../../../jobs/boss.ts';
import type { Logger } from '../../../logger.ts';

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
    sql.type(z.object({ dropped_days: z.number(), deleted_rows: z.number() }))`
      select dropped_days, deleted_rows from app_private.drop_webhook_delivery_days(${cutoff}::timestamptz)`,
  );
  return { createdDays, droppedDays: dropped.dropped_days, deletedRows: dropped.deleted_rows };
}

export const retentionQueue = 'webhook.retention';

/**
 * Runs retention hourly from a pg-boss schedule (one node runs each occurrence), and once at start,
 * so a freshly migrated database gets today's partition before much lands in the default one.
 */
export async function scheduleWebhookRetention(
  boss: PgBoss,
  owner: DatabasePool,
  retentionDays: number,
  logger: Logger,
): Promise<void> {
  await registerWorker(boss, retentionQueue, async () => {
    const result = await runWebhookRetention(owner, retentionDays);
    if (result.droppedDays > 0 || result.deletedRows > 0) {
      logger.info({ ...result, retentionDays }, 'webhook retention: dropped old deliveries');
    }
  });
  await boss.schedule(retentionQueue, '17 * * * *', {}, { tz: 'UTC' });
  await boss.send(retentionQueue, {}, { singletonKey: 'at-start', singletonSeconds: 60 });
}
