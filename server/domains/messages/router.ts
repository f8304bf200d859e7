import type { OpenApiMeta } from 'trpc-to-openapi';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { mutableRows } from '../../db/rows.ts';
import { messagePage, messageSchema } from './queries.ts';
import {
  buildButtons,
  buildContacts,
  buildCtaUrl,
  buildList,
  buildLocation,
  buildText,
  type BuiltMessage,
} from './payload-builders.ts';
import {
  markReadInput,
  queuedOutput,
  sendButtonsInput,
  sendContactsInput,
  sendCtaUrlInput,
  sendListInput,
  sendLocationInput,
  sendReactionInput,
  sendTextInput,
} from './schemas.ts';
import { queueMarkRead, queueOutboundMessage, queueReaction, requeueFailedMessage } from './service.ts';
import { queueTemplateMessage, sendTemplateInput } from '../templates/send.ts';

/** One send type: its input schema (schemas.ts) and its payload builder (payload-builders.ts). */
function sendProcedure<S extends z.ZodType<{ conversationId: string; replyToId?: string | undefined }>>(
  input: S,
  build: (input: z.output<S>) => BuiltMessage,
  meta: OpenApiMeta,
) {
  return tenantProcedure('agent')
    .meta(meta)
    .input(input)
    .output(queuedOutput)
    .mutation(({ ctx, input: parsed }) => {
      const values = parsed as z.output<S>;
      return ctx.withOutbox((tx, outbox) =>
        queueOutboundMessage(tx, outbox, {
          tenantId: ctx.tenantId,
          conversationId: values.conversationId,
          contextMessageId: values.replyToId,
          built: build(values),
          requestId: ctx.requestId,
        }),
      );
    });
}

/**
 * Every send answers at once with status "queued": the message row (pending) and its message.send
 * job commit together; statuses follow as Meta reports them. Free-form types need the customer's
 * 24-hour window; `replyToId` quotes an earlier message of the conversation.
 */
export const messageRouter = router({
  /**
   * A conversation's messages, newest first, a page at a time: pass the last id of a page as `cursor`
   * for the older ones.
   */
  list: tenantProcedure('viewer')
    .meta(
      rest(
        'GET',
        '/messages',
        'Messages',
        "List a conversation's messages",
        "Newest first. Cursor pagination: pass the last message's `id` as `cursor` for older ones; an empty page is the end.",
      ),
    )
    .input(
      z.object({
        conversationId: z.uuid(),
        cursor: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(messageSchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(messagePage(input))))),

  /** Text, with an optional link preview. */
  send: sendProcedure(
    sendTextInput,
    buildText,
    rest(
      'POST',
      '/messages',
      'Messages',
      'Send a text',
      "Answers at once with status `queued`; needs the customer's 24-hour window open.",
    ),
  ),
  /** Up to three reply buttons under a text. */
  sendButtons: sendProcedure(
    sendButtonsInput,
    buildButtons,
    rest(
      'POST',
      '/messages/buttons',
      'Messages',
      'Send reply buttons',
      "Answers at once with status `queued`; needs the customer's 24-hour window open.",
    ),
  ),
  /** A list the customer opens and picks one row of. */
  sendList: sendProcedure(
    sendListInput,
    buildList,
    rest(
      'POST',
      '/messages/list',
      'Messages',
      'Send a list',
      "Answers at once with status `queued`; needs the customer's 24-hour window open.",
    ),
  ),
  /** A button that opens a web address. */
  sendCtaUrl: sendProcedure(
    sendCtaUrlInput,
    buildCtaUrl,
    rest(
      'POST',
      '/messages/cta-url',
      'Messages',
      'Send a link button',
      "Answers at once with status `queued`; needs the customer's 24-hour window open.",
    ),
  ),
  sendLocation: sendProcedure(
    sendLocationInput,
    buildLocation,
    rest(
      'POST',
      '/messages/location',
      'Messages',
      'Send a location',
      "Answers at once with status `queued`; needs the customer's 24-hour window open.",
    ),
  ),
  /** Contact cards. */
  sendContacts: sendProcedure(
    sendContactsInput,
    buildContacts,
    rest(
      'POST',
      '/messages/contacts',
      'Messages',
      'Send contact cards',
      "Answers at once with status `queued`; needs the customer's 24-hour window open.",
    ),
  ),

  /** Reacts to a message of the conversation; an empty emoji removes the reaction. */
  react: tenantProcedure('agent')
    .meta(rest('POST', '/messages/reaction', 'Messages', 'React to a message'))
    .input(sendReactionInput)
    .output(queuedOutput)
    .mutation(({ ctx, input }) =>
      ctx.withOutbox((tx, outbox) =>
        queueReaction(tx, outbox, { ...input, tenantId: ctx.tenantId, requestId: ctx.requestId }),
      ),
    ),

  /**
   * Marks the customer's messages read on their phone (blue ticks), optionally showing "typing…" until
   * the reply goes (Meta hides it after 25 s). Sent by a job: the answer does not wait on Meta.
   */
  markRead: tenantProcedure('agent')
    .meta(rest('POST', '/messages/read', 'Messages', 'Mark customer messages read on their phone'))
    .input(markReadInput)
    .output(z.object({ queued: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.withOutbox((tx, outbox) => queueMarkRead(tx, outbox, { ...input, tenantId: ctx.tenantId }));
      return { queued: true as const };
    }),

  /**
   * Sends an approved template, with its variables filled in; allowed when the 24-hour window is
   * closed. Queued like every send; the message keeps what the customer sees.
   */
  sendTemplate: tenantProcedure('agent')
    .meta(
      rest(
        'POST',
        '/messages/template',
        'Messages',
        'Send a template',
        'Allowed when the 24-hour window is closed.',
      ),
    )
    .input(sendTemplateInput)
    .output(queuedOutput)
    .mutation(({ ctx, input }) =>
      ctx.withOutbox((tx, outbox) =>
        queueTemplateMessage(tx, outbox, { ...input, tenantId: ctx.tenantId, requestId: ctx.requestId }),
      ),
    ),

  /** Sends a message that failed once more (same message, same content), if its type may go now. */
  retry: tenantProcedure('agent')
    .meta(rest('POST', '/messages/{id}/retry', 'Messages', 'Send a failed message again'))
    .input(z.object({ id: z.uuid() }))
    .output(queuedOutput)
    .mutation(async ({ ctx, input }) => {
      await ctx.withOutbox((tx, outbox) =>
        requeueFailedMessage(tx, outbox, {
          tenantId: ctx.tenantId,
          messageId: input.id,
          requestId: ctx.requestId,
        }),
      );
      return { id: input.id, status: 'queued' as const };
    }),
});
