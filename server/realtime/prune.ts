import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** Deletes realtime events older than `retentionMinutes` (owner: app_private); returns how many. */
export async function pruneRealtimeEvents(
  owner: DatabasePool,
  retentionMinutes: number,
  now = new Date(),
): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionMinutes * 60_000).toISOString();
  return owner.oneFirst(
    sql.type(z.object({ deleted: z.number() }))`
      select app_private.prune_realtime_events(${cutoff}::timestamptz) as deleted`,
  );
}
