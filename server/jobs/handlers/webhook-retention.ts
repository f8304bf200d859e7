import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import {
  purgeExpiredWebhookEvents,
  runWebhookRetention,
} from '../../domains/webhooks/processing/retention.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * webhook.retention: drops the days of webhook deliveries past WEBHOOK_RETENTION_DAYS and prepares
 * the coming days (runWebhookRetention), then deletes the workspaces' webhook log entries past the
 * same setting (purgeExpiredWebhookEvents). Hourly from a pg-boss schedule (one node runs each
 * occurrence), and once at start, so a freshly migrated database gets today's partition before much
 * lands in the default one. Retry policy: queueSettings['webhook.retention'].
 */
export const queue = 'webhook.retention';
export const payload = z.object({});
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, pools, config, logger } = services;
  const retentionDays = config.webhookRetentionDays;
  await registerWorker(boss, queue, async () => {
    const result = await runWebhookRetention(pools.owner, retentionDays);
    if (result.droppedDays > 0 || result.deletedRows > 0) {
      logger.info({ ...result, retentionDays }, 'webhook retention: dropped old deliveries');
    }
    const deletedEvents = await purgeExpiredWebhookEvents(pools, retentionDays);
    if (deletedEvents > 0) {
      logger.info({ deletedEvents, retentionDays }, 'webhook retention: deleted old webhook log entries');
    }
  });
  await boss.schedule(queue, '17 * * * *', {}, { tz: 'UTC' });
  await boss.send(queue, {}, { singletonKey: 'at-start', singletonSeconds: 60 });
}
