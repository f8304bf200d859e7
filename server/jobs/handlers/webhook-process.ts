import type { AppServices } from '../../app-services.ts';
import { processWebhookJobs } from '../../domains/webhooks/processing/process.ts';
import { registerBatchWorker } from '../boss.ts';
import { queueSettings, webhookProcessPayload } from '../queues.ts';

/**
 * webhook.process: turns stored Meta deliveries into rows, a batch at a time (processWebhookJobs).
 * Retry and dead-letter policy: queueSettings['webhook.process']; a failure is also kept on the
 * delivery for the webhook log and replay.
 */
export const queue = 'webhook.process';
export const payload = webhookProcessPayload;
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, pools, logger } = services;
  await registerBatchWorker(
    boss,
    queue,
    async (jobs) =>
      processWebhookJobs(
        pools.app,
        logger,
        jobs.map((job) => ({ jobId: job.id, ...payload.parse(job.data) })),
      ),
    // Batches of hundreds become a handful of statements each (processing is set-based); two at a
    // time keep the database busy while Node parses the next, and leave the HTTP path room.
    { concurrency: 2, batchSize: 500 },
  );
}
