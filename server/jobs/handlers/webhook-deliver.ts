import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { attemptDelivery, DeliveryFailed } from '../../domains/outboundWebhooks/deliver.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * webhook.deliver: one attempt of one outbound webhook delivery (domains/outboundWebhooks/deliver.ts).
 * A failed attempt is recorded in the log, then thrown so pg-boss retries with backoff; the last
 * attempt, a disabled endpoint or a day of failures complete the job with the delivery failed.
 */
export const queue = 'webhook.deliver';
export const payload = z.object({ tenantId: z.uuid(), deliveryId: z.uuid() });
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  await registerWorker(
    services.boss,
    queue,
    async (job) => {
      const result = await attemptDelivery(services, payload.parse(job.data));
      if (result === 'retrying')
        throw new DeliveryFailed('The endpoint did not accept the delivery; retrying.');
    },
    { concurrency: 4, batchSize: 4, parallel: true },
  );
}
