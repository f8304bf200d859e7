import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { takeStrayDeliveries } from '../../domains/outboundWebhooks/queries.ts';
import { registerWorker } from '../boss.ts';
import { insertJobs } from '../outbox.ts';
import { queueSettings } from '../queues.ts';

/**
 * webhook.dispatch: queues webhook.deliver jobs for deliveries whose event happened in a transaction
 * without an outbox (a plain tenant transaction cannot insert jobs), in the transaction that takes
 * them. Every minute from a pg-boss schedule; events from an outbox never wait for it.
 */
export const queue = 'webhook.dispatch';
export const payload = z.object({});
export const policy = queueSettings[queue];

export async function dispatchStrayDeliveries(services: AppServices): Promise<number> {
  const { pools, boss } = services;
  return pools.owner.transaction(async (tx) => {
    const rows = await tx.any(takeStrayDeliveries(1000));
    await insertJobs(
      tx,
      boss,
      rows.map(({ tenantId, deliveryId }) => ({ name: 'webhook.deliver', data: { tenantId, deliveryId } })),
    );
    return rows.length;
  });
}

export async function register(services: AppServices): Promise<void> {
  await registerWorker(services.boss, queue, async () => {
    const queued = await dispatchStrayDeliveries(services);
    if (queued > 0) services.logger.debug({ queued }, 'outbound webhooks: deliveries queued');
  });
  await services.boss.schedule(queue, '* * * * *', {}, { tz: 'UTC' });
}
