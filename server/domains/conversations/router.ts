import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { queueReadReceipt } from '../channels/read-receipts.ts';
import { conversationPage, conversationSchema, conversationStatus } from './queries.ts';
import { mutableRows } from '../../db/rows.ts';

export const conversationRouter = router({
  /** Clears the unread count when someone opens the conversation. */
  markRead: tenantProcedure('agent')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.withTenant((tx) =>
        tx.query(
          sql.unsafe`update app_public.conversations set unread_count = 0 where id = ${input.id} and unread_count > 0`,
        ),
      );
      if (result.rowCount > 0) await queueReadReceipt(ctx.services, ctx.tenantId, input.id);
      if (result.rowCount === 0) {
        const exists = await ctx.withTenant((tx) =>
          tx.exists(sql.unsafe`select 1 from app_public.conversations where id = ${input.id}`),
        );
        if (!exists) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
      }
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
