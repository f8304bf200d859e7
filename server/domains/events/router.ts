import { tracked, TRPCError } from '@trpc/server';
import { z } from 'zod';
import { formatCursor, parseCursor } from '../../realtime/feed.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';

export const eventsRouter = router({
  /**
   * The workspace's changes as they commit (server-sent events): ids of what changed, with the
   * conversations it touched as the caller may see them. Starts with a 'ready'; a client that
   * reconnects passes the last event id it got (httpSubscriptionLink does) and receives what it
   * missed, or a 'resync' when that is older than the events kept. Ends when the caller's session or
   * membership ends. Also the workspace's presence ({ type: 'presence', members }: who is online or
   * away, viewing and typing where), whole, when it changes and at the start, without an event id.
   */
  live: tenantProcedure('viewer')
    .input(z.object({ lastEventId: z.string().max(64).nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const hub = ctx.services.realtime;
      if (!hub) throw new TRPCError({ code: 'NOT_IMPLEMENTED', message: 'Realtime is off on this node.' });
      const lastEventId = input?.lastEventId;
      const from = parseCursor(lastEventId);
      // An id this server never gave (or garbled): the client cannot know what it missed.
      let resyncFirst = Boolean(lastEventId && !from);
      const subscription = await hub.subscribe(
        {
          tenantId: ctx.tenantId,
          role: ctx.role,
          userId: ctx.actor.userId,
          sessionId: ctx.session?.id ?? null,
          apiKeyId: ctx.actor.apiKeyId,
        },
        from,
        signal,
      );
      try {
        for await (const delivery of subscription) {
          if (delivery.cursor === null) {
            // Presence: ephemeral, so untracked (a resuming client keeps the id of the last change).
            yield delivery.event;
            continue;
          }
          const event =
            resyncFirst && delivery.event.type === 'ready' ? { type: 'resync' as const } : delivery.event;
          resyncFirst = false;
          yield tracked(formatCursor(delivery.cursor), event);
        }
      } finally {
        subscription.end();
      }
    }),
});
