import { sql } from 'slonik';
import { z } from 'zod';
import { withTenantOutbox } from '../../jobs/outbox.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { createTextMessage } from './service.ts';

const messageRow = z.object({
  id: z.string(),
  wamid: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound']),
  type: z.string(),
  body: z.string().nullable(),
  content: z.unknown(),
  status: z.string(),
  error: z.unknown(),
  context_wamid: z.string().nullable(),
  occurred_at: z.string(),
});

export const messageSchema = z.object({
  id: z.string(),
  wamid: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound']),
  type: z.string(),
  body: z.string().nullable(),
  content: z.unknown(),
  status: z.string(),
  error: z.unknown(),
  quotedWamid: z.string().nullable(),
  occurredAt: z.string(),
});

export const messageRouter = router({
  /** A conversation's messages, newest first; page with `before` (a message id). */
  list: tenantProcedure('viewer')
    .input(
      z.object({
        conversationId: z.uuid(),
        before: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(messageSchema))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.withTenant((tx) =>
        tx.any(sql.type(messageRow)`
          select id, wamid, direction, type, body, content, status, error, context_wamid, occurred_at
          from app_public.messages
          where conversation_id = ${input.conversationId}
            and (${input.before ?? null}::uuid is null or (occurred_at, id) < (
              select occurred_at, id from app_public.messages where id = ${input.before ?? null}::uuid))
          order by occurred_at desc, id desc
          limit ${input.limit}
        `),
      );
      return rows.map((row) => ({
        id: row.id,
        wamid: row.wamid,
        direction: row.direction,
        type: row.type,
        body: row.body,
        content: row.content,
        status: row.status,
        error: row.error,
        quotedWamid: row.context_wamid,
        occurredAt: row.occurred_at,
      }));
    }),

  /**
   * Replies with text inside the 24-hour window. The message and its send job commit together; the
   * answer comes at once with status "pending", and statuses follow as Meta reports them.
   */
  send: tenantProcedure('agent')
    .input(
      z.object({
        conversationId: z.uuid(),
        text: z.string().trim().min(1, 'Write a message.').max(4096, 'WhatsApp allows 4096 characters.'),
      }),
    )
    .output(z.object({ id: z.string(), status: z.literal('pending') }))
    .mutation(async ({ ctx, input }) => {
      const id = await withTenantOutbox(
        ctx.services.pools.owner,
        ctx.services.boss,
        { tenantId: ctx.tenantId, userId: ctx.actor.userId },
        async (tx) => {
          const messageId = await createTextMessage(tx, {
            tenantId: ctx.tenantId,
            conversationId: input.conversationId,
            text: input.text,
          });
          return {
            result: messageId,
            jobs: [
              {
                name: 'message.send',
                data: { tenantId: ctx.tenantId, messageId, requestId: ctx.requestId },
                singletonKey: messageId,
              },
            ],
          };
        },
      );
      return { id, status: 'pending' as const };
    }),
});
