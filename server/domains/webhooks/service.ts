import { TRPCError } from '@trpc/server';
import type { z } from 'zod';
import type { InTransaction, Tx } from '../../db/tx.ts';
import type { TenantScope } from '../channels/service.ts';
import { replayPriority } from './ingest/delivery-writer.ts';
import { eventById, events, markReplay } from './queries.ts';
import type { eventSchema, listEventsInput, replayInput } from './schemas.ts';

/** Most deliveries one replay queues: a replay never floods the queue ahead of customers' messages. */
export const replayBatch = 500;

/** A page of the log, and the event to continue before when the page is full. */
export async function listEvents(
  tx: Tx,
  input: z.infer<typeof listEventsInput>,
): Promise<{ events: z.infer<typeof eventSchema>[]; nextBefore: string | null }> {
  const rows = await tx.any(events(input, input.limit));
  return {
    events: [...rows],
    nextBefore: rows.length === input.limit ? (rows.at(-1)?.id ?? null) : null,
  };
}

export async function eventDetail(tx: Tx, id: string) {
  const row = await tx.maybeOne(eventById(id));
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such webhook event.' });
  return row;
}

/**
 * Processes deliveries again: the ones behind the given events, or every one matching the filter.
 * Processing is idempotent, so a replay repairs what failed and changes nothing that succeeded.
 * Bounded: at most replayBatch deliveries per call, none already queued or running, queued behind
 * fresh deliveries; `remaining` says how many more a further call would queue.
 */
export async function replay(
  scope: Pick<TenantScope, 'services'> & { withTenant: InTransaction },
  input: z.infer<typeof replayInput>,
): Promise<{ queued: number; remaining: number; more: boolean }> {
  // Marked and committed first, then queued: a job never runs before its delivery is marked.
  const marked = await scope.withTenant((tx) => tx.any(markReplay(input, replayBatch)));
  const deliveryIds = marked.flatMap((row) => (row.id ? [row.id] : []));
  if (deliveryIds.length > 0) {
    await scope.services.boss.insert(
      'webhook.process',
      deliveryIds.map((deliveryId) => ({
        data: { deliveryId },
        singletonKey: deliveryId,
        priority: replayPriority,
      })),
    );
  }
  const remaining = marked[0]?.remaining ?? 0;
  return { queued: deliveryIds.length, remaining, more: remaining > 0 };
}
