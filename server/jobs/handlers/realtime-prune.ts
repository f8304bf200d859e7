import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { pruneRealtimeEvents } from '../../realtime/prune.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * realtime.prune: deletes realtime events older than REALTIME_RETENTION_MINUTES (a client away
 * longer resyncs). Every five minutes from a pg-boss schedule (one node runs each occurrence).
 * Retry policy: queueSettings['realtime.prune'].
 */
export const queue = 'realtime.prune';
export const payload = z.object({});
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, pools, config, logger } = services;
  const retentionMinutes = config.realtimeRetentionMinutes;
  await registerWorker(boss, queue, async () => {
    const deleted = await pruneRealtimeEvents(pools.owner, retentionMinutes);
    if (deleted > 0) logger.debug({ deleted, retentionMinutes }, 'realtime: pruned old events');
  });
  await boss.schedule(queue, '*/5 * * * *', {}, { tz: 'UTC' });
}
