import type { AppServices } from '../../app-services.ts';
import { fetchInboundMedia, giveUpFetch, mediaFetchPayload } from '../../domains/media/fetch-job.ts';
import { registerWorker } from '../boss.ts';
import { deadLetterQueue, queueSettings } from '../queues.ts';

/**
 * media.fetch: downloads one inbound media file and stores it in PostgreSQL (domains/media/fetch-job.ts).
 * The job is queued by the transaction that stores the message (domains/media/fetch-queue.ts). Retry
 * policy: queueSettings['media.fetch']; after the last retry media.fetch.dead marks it unavailable.
 */
export const queue = 'media.fetch';
export const payload = mediaFetchPayload;
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, config } = services;
  await registerWorker(boss, queue, (job) => fetchInboundMedia(services, payload.parse(job.data)), {
    concurrency: config.workerConcurrency,
  });
  await registerWorker(boss, deadLetterQueue(queue), (job) => giveUpFetch(services, payload.parse(job.data)));
}
