import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

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
