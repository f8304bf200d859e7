import type { AppServices } from '../../app-services.ts';
import { withTenant } from '../../db/tx.ts';
import { queueSettings } from '../../jobs/queues.ts';
import {
  deliveryToSend,
  disableFailingEndpoint,
  endpointFailed,
  endpointSecret,
  endpointSucceeded,
  noticeAdmins,
  recordAttempt,
} from './queries.ts';
import { secretContext } from './service.ts';
import { postDelivery } from './send.ts';
import { sign, signatureHeader } from './signature.ts';

/** An endpoint failing without a single success for this long is disabled, and its admins told. */
export const disableAfterMs = 24 * 3600 * 1000;

/** Attempts of one delivery: the first and pg-boss's retries (exponential backoff, queues.ts). */
export const maxAttempts = queueSettings['webhook.deliver'].retryLimit + 1;

export class DeliveryFailed extends Error {
  override name = 'DeliveryFailed';
}

export type DeliveryResult = 'succeeded' | 'retrying' | 'failed' | 'skipped';

/**
 * One attempt of one delivery (the webhook.deliver job). The delivery's row stays locked during the
 * request, so a replayed job and a retry never send it twice at once. `now` is the clock that decides
 * the 24-hour disable (tests pass one).
 */
export async function attemptDelivery(
  services: AppServices,
  job: { tenantId: string; deliveryId: string },
  now: () => Date = () => new Date(),
): Promise<DeliveryResult> {
  const { keyring, config } = services;
  return withTenant(services.pools.app, job.tenantId, async (tx) => {
    const delivery = await tx.maybeOne(deliveryToSend(job.deliveryId));
    if (!delivery || delivery.status === 'succeeded' || delivery.status === 'failed') return 'skipped';
    const record = (
      status: 'retrying' | 'succeeded' | 'failed',
      outcome: Parameters<typeof recordAttempt>[0],
    ) => tx.query(recordAttempt({ ...outcome, status }));
    if (!delivery.enabled) {
      await record('failed', {
        id: delivery.id,
        status: 'failed',
        responseStatus: null,
        responseBody: null,
        error: 'The endpoint is disabled.',
        durationMs: 0,
        at: now(),
      });
      return 'failed';
    }
    const sealed = await tx.one(endpointSecret(delivery.endpointId));
    const secret = keyring.decrypt(
      { keyId: sealed.secretKeyId, data: sealed.secret },
      secretContext(delivery.endpointId),
    );
    const at = now();
    const timestamp = Math.floor(at.getTime() / 1000);
    const outcome = await postDelivery(
      delivery.url,
      delivery.body,
      {
        [signatureHeader]: sign(secret, timestamp, delivery.body),
        'parley-delivery-id': delivery.id,
        'parley-event-type': (JSON.parse(delivery.body) as { type: string }).type,
      },
      { allowPrivate: config.outboundWebhooksAllowPrivate },
    );
    const attempt = {
      id: delivery.id,
      responseStatus: outcome.status,
      responseBody: outcome.body,
      error: outcome.error,
      durationMs: outcome.durationMs,
      at,
    };
    if (outcome.ok) {
      await record('succeeded', { ...attempt, status: 'succeeded' });
      await tx.query(endpointSucceeded(delivery.endpointId, at));
      return 'succeeded';
    }
    const { failingSinceMs } = await tx.one(endpointFailed(delivery.endpointId, at));
    if (at.getTime() - failingSinceMs >= disableAfterMs) {
      const disabled = await tx.maybeOne(
        disableFailingEndpoint(delivery.endpointId, 'Every delivery failed for 24 hours.', at),
      );
      if (disabled) await tx.query(noticeAdmins(delivery.endpointId));
      await record('failed', { ...attempt, status: 'failed' });
      return 'failed';
    }
    const last = delivery.attempts + 1 >= maxAttempts;
    await record(last ? 'failed' : 'retrying', { ...attempt, status: last ? 'failed' : 'retrying' });
    return last ? 'failed' : 'retrying';
  });
}
