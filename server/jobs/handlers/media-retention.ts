import type { AppServices } from '../../app-services.ts';
import { runAbandonedUploadCleanup, runMediaRetention } from '../../domains/media/retention.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * media.retention: daily (03:41 UTC, one node runs each occurrence), deletes media past each
 * workspace's retention, and agents' uploads no message will use (domains/media/retention.ts).
 * Policy: queueSettings['media.retention'].
 */
export const queue = 'media.retention';
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, logger } = services;
  await registerWorker(boss, queue, async () => {
    const deleted = await runMediaRetention(services);
    if (deleted.size > 0)
      logger.info({ workspaces: Object.fromEntries(deleted) }, 'media retention: deleted old media');
    const abandoned = await runAbandonedUploadCleanup(services);
    if (abandoned > 0) logger.info({ uploads: abandoned }, 'media retention: deleted abandoned uploads');
  });
  await boss.schedule(queue, '41 3 * * *', {}, { tz: 'UTC' });
}
