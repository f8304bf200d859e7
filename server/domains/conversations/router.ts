import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { conversationPage, conversationSchema, conversationStatus } from './queries.ts';
import { mutableRows } from '../../db/rows.ts';
import { markRead } from './service.ts';

export const conversationRouter = router({
  /** Clears the unread count when someone opens the conversation. */
  markRead: tenantProcedure('agent')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await markRead(ctx, input.id);
      return { ok: true as const };
    }),

  /** The inbox, most recent first, a page at a time: pass the last id of a page as `cursor` for the next. */
  list: tenantProcedure('viewer')
    .input(
      z.object({
        status: conversationStatus.optional(),
        cursor: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(conversationSchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(conversationPage(input))))),
});
