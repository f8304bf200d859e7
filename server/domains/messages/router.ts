import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { messagePage, messageSchema } from './queries.ts';
import { createTextMessage, replyTextSchema, requeueFailedMessage } from './service.ts';
import { mutableRows } from '../../db/rows.ts';
import { createTemplateMessage, sendTemplateInput } from '../templates/send.ts';

const sendJob = (tenantId: string, messageId: string, requestId: string) => ({
  name: 'message.send',
  data: { tenantId, messageId, requestId },
  singletonKey: messageId,
});

export const messageRouter = router({
  /**
   * A conversation's messages, newest first, a page at a time: pass the last id of a page as `cursor`
   * for the older ones.
   */
  list: tenantProcedure('viewer')
    .input(
      z.object({
        conversationId: z.uuid(),
        cursor: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(messageSchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(messagePage(input))))),

  /**
   * Replies with text inside the 24-hour window. The message and its send job commit together; the
   * answer comes at once with status "pending", and statuses follow as Meta reports them.
   */
  send: tenantProcedure('agent')
    .input(z.object({ conversationId: z.uuid(), text: replyTextSchema }))
    .output(z.object({ id: z.string(), status: z.literal('pending') }))
    .mutation(async ({ ctx, input }) => {
      const id = await ctx.withOutbox(async (tx, outbox) => {
        const messageId = await createTextMessage(tx, {
          tenantId: ctx.tenantId,
          conversationId: input.conversationId,
          text: input.text,
        });
        outbox.send(sendJob(ctx.tenantId, messageId, ctx.requestId));
        return messageId;
      });
      return { id, status: 'pending' as const };
    }),

  /**
   * Sends an approved template, with its variables filled in; allowed when the 24-hour window is
   * closed. Queued like a text reply; the message keeps what the customer sees.
   */
  sendTemplate: tenantProcedure('agent')
    .input(sendTemplateInput)
    .output(z.object({ id: z.string(), status: z.literal('pending') }))
    .mutation(async ({ ctx, input }) => {
      const id = await ctx.withOutbox(async (tx, outbox) => {
        const messageId = await createTemplateMessage(tx, { ...input, tenantId: ctx.tenantId });
        outbox.send(sendJob(ctx.tenantId, messageId, ctx.requestId));
        return messageId;
      });
      return { id, status: 'pending' as const };
    }),

  /** Sends a reply that failed once more (same message, same text), while the window is open. */
  retry: tenantProcedure('agent')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ id: z.string(), status: z.literal('pending') }))
    .mutation(async ({ ctx, input }) => {
      await ctx.withOutbox(async (tx, outbox) => {
        await requeueFailedMessage(tx, input.id);
        outbox.send(sendJob(ctx.tenantId, input.id, ctx.requestId));
      });
      return { id: input.id, status: 'pending' as const };
    }),
});
