import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { eventDetailSchema, eventSchema, listEventsInput, replayInput } from './schemas.ts';
import { eventDetail, listEvents, replay } from './service.ts';

/** The workspace's webhook log: what Meta sent, how it was processed, and replay. */
export const webhookRouter = router({
  list: tenantProcedure('admin')
    .meta(
      rest(
        'GET',
        '/webhook-events',
        'Webhook log',
        'List received webhook events',
        'Newest first. Cursor pagination: pass `nextBefore` as `before` for the next page; null is the end.',
      ),
    )
    .input(listEventsInput)
    .output(z.object({ events: z.array(eventSchema), nextBefore: z.string().nullable() }))
    .query(({ ctx, input }) => ctx.withTenant((tx) => listEvents(tx, input))),

  /** One event with the change Meta sent (only this workspace's part of the delivery). */
  byId: tenantProcedure('admin')
    .meta(rest('GET', '/webhook-events/{id}', 'Webhook log', 'Get a webhook event'))
    .input(z.object({ id: z.uuid() }))
    .output(eventDetailSchema)
    .query(({ ctx, input }) => ctx.withTenant((tx) => eventDetail(tx, input.id))),

  /** Processes deliveries again (see `replay`): bounded, deduplicated, behind fresh deliveries. */
  replay: tenantProcedure('admin')
    .meta(rest('POST', '/webhook-events/replay', 'Webhook log', 'Process webhook events again'))
    .input(replayInput)
    .output(z.object({ queued: z.number(), remaining: z.number(), more: z.boolean() }))
    .mutation(({ ctx, input }) => replay(ctx, input)),
});
