import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { eventDetailSchema, eventSchema, listEventsInput, replayInput } from './schemas.ts';
import { eventDetail, listEvents, replay } from './service.ts';

/** The workspace's webhook log: what Meta sent, how it was processed, and replay. */
export const webhookRouter = router({
  list: tenantProcedure('admin')
    .input(listEventsInput)
    .output(z.object({ events: z.array(eventSchema), nextBefore: z.string().nullable() }))
    .query(({ ctx, input }) => ctx.withTenant((tx) => listEvents(tx, input))),

  /** One event with the change Meta sent (only this workspace's part of the delivery). */
  byId: tenantProcedure('admin')
    .input(z.object({ id: z.uuid() }))
    .output(eventDetailSchema)
    .query(({ ctx, input }) => ctx.withTenant((tx) => eventDetail(tx, input.id))),

  /** Processes deliveries again (see `replay`): bounded, deduplicated, behind fresh deliveries. */
  replay: tenantProcedure('admin')
    .input(replayInput)
    .output(z.object({ queued: z.number(), remaining: z.number(), more: z.boolean() }))
    .mutation(({ ctx, input }) => replay(ctx, input)),
});
