import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { queueReadReceipt } from '../channels/read-receipts.ts';

const conversationRow = z.object({
  id: z.string(),
  status: z.enum(['open', 'pending', 'resolved']),
  last_message_at: z.string().nullable(),
  last_message_preview: z.string().nullable(),
  unread_count: z.number(),
  window_closes_at: z.string().nullable(),
  contact_id: z.string(),
  wa_id: z.string().nullable(),
  bsuid: z.string().nullable(),
  profile_name: z.string().nullable(),
  phone_number_id: z.string(),
});

export const conversationSchema = z.object({
  id: z.string(),
  status: z.enum(['open', 'pending', 'resolved']),
  lastMessageAt: z.string().nullable(),
  lastMessagePreview: z.string().nullable(),
  unreadCount: z.number(),
  /** When the 24-hour customer-service window closes; null when it is closed. */
  windowClosesAt: z.string().nullable(),
  phoneNumberId: z.string(),
  contact: z.object({
    id: z.string(),
    waId: z.string().nullable(),
    bsuid: z.string().nullable(),
    name: z.string().nullable(),
  }),
});

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

  /** The inbox, most recent first. */
  list: tenantProcedure('viewer')
    .input(
      z.object({
        status: z.enum(['open', 'pending', 'resolved']).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(conversationSchema))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.withTenant((tx) =>
        tx.any(sql.type(conversationRow)`
          select c.id, c.status, c.last_message_at, c.last_message_preview, c.unread_count,
                 case when c.last_inbound_at > now() - interval '24 hours' then c.last_inbound_at + interval '24 hours' end as window_closes_at,
                 k.id as contact_id, k.wa_id, k.bsuid, k.profile_name, p.phone_number_id
          from app_public.conversations c
          join app_public.contacts k on k.id = c.contact_id
          join app_public.phone_numbers p on p.id = c.phone_number_id
          where ${input.status ?? null}::text is null or c.status = ${input.status ?? null}
          order by c.last_message_at desc nulls last, c.id desc
          limit ${input.limit}
        `),
      );
      return rows.map((row) => ({
        id: row.id,
        status: row.status,
        lastMessageAt: row.last_message_at,
        lastMessagePreview: row.last_message_preview,
        unreadCount: row.unread_count,
        windowClosesAt: row.window_closes_at,
        phoneNumberId: row.phone_number_id,
        contact: { id: row.contact_id, waId: row.wa_id, bsuid: row.bsuid, name: row.profile_name },
      }));
    }),
});
