import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { runAnalyticsRollup } from '../../domains/analytics/service.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * analytics.rollup: folds the analytics deltas every trigger appended into hourly rows, and rebuilds
 * the rollups of workspaces never built or moved to a time zone whose hours start elsewhere. Every
 * minute from a pg-boss schedule; readers add the pending deltas, so figures never wait for it.
 */
export const queue = 'analytics.rollup';
export const payload = z.object({});
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, pools, logger } = services;
  await registerWorker(boss, queue, async () => {
    const { rebuilt, folded } = await runAnalyticsRollup(pools.owner);
    if (rebuilt > 0 || folded > 0) logger.debug({ rebuilt, folded }, 'analytics: rollups folded');
  });
  await boss.schedule(queue, '* * * * *', {}, { tz: 'UTC' });
}
