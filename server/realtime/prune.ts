import type { PgBoss } from 'pg-boss';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { registerWorker } from '../jobs/boss.ts';
import type { Logger } from '../logger.ts';

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

export const pruneQueue = 'realtime.prune';

/** Prunes every five minutes from a pg-boss schedule (one node runs each occurrence). */
export async function scheduleRealtimePrune(
  boss: PgBoss,
  owner: DatabasePool,
  retentionMinutes: number,
  logger: Logger,
): Promise<void> {
  await registerWorker(boss, pruneQueue, async () => {
    const deleted = await pruneRealtimeEvents(owner, retentionMinutes);
    if (deleted > 0) logger.debug({ deleted, retentionMinutes }, 'realtime: pruned old events');
  });
  await boss.schedule(pruneQueue, '*/5 * * * *', {}, { tz: 'UTC' });
}
