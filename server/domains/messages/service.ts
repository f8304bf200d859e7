import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import type { Outbox } from '../../jobs/outbox.ts';
import { clearUnread, conversationExists } from '../conversations/queries.ts';
import { buildReaction, type BuiltMessage } from './payload-builders.ts';
import {
  assertTenantActive,
  conversationSent,
  failedUnsentMessage,
  insertPendingMessage,
  messageWamid,
  requeueMessage,
  sendTarget,
} from './queries.ts';

/** The customer-service window: free-form messages only within 24 h of the customer's last message. */
export const serviceWindowHours = 24;

/** The conversation's customer number, once the rules for sending hold (active workspace, a number, the window). */
async function sendableConversation(tx: Tx, conversationId: string, needsWindow: boolean) {
  await tx.query(assertTenantActive());
  const conversation = await tx.maybeOne(sendTarget(conversationId, serviceWindowHours));
  if (!conversation) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  if (needsWindow && !conversation.windowOpen) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message:
        'The customer has not written in the last 24 hours: only an approved template can be sent now.',
    });
  }
  if (!conversation.waId) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'This contact has no phone number to send to yet.',
    });
  }
  return { waId: conversation.waId };
}

/** The customer's number for a free-form message (media, text): the window must be open. */
export const replyableConversation = (tx: Tx, conversationId: string) =>
  sendableConversation(tx, conversationId, true);

/** The wamid of a message of this conversation, to quote or react to. */
async function wamidOf(tx: Tx, conversationId: string, messageId: string, purpose: 'quote' | 'react') {
  const row = await tx.maybeOne(messageWamid(conversationId, messageId));
  if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such message in this conversation.' });
  const { wamid } = row;
  if (!wamid) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: `This message has not reached WhatsApp yet, so it cannot be ${purpose === 'quote' ? 'quoted' : 'reacted to'}.`,
    });
  }
  return wamid;
}

/** message.send's job for one message; requestId ties the job's log lines to the request. */
export const sendJob = (tenantId: string, messageId: string, requestId?: string) => ({
  name: 'message.send',
  data: { tenantId, messageId, ...(requestId ? { requestId } : {}) },
  singletonKey: messageId,
});

export interface OutboundDraft {
  tenantId: string;
  conversationId: string;
  /** The message object and its preview, from one of payload-builders.ts (or a template or media builder). */
  built: BuiltMessage;
  /** Parley's id of the message this one quotes (Meta's context.message_id). */
  contextMessageId?: string | undefined;
  requestId?: string | undefined;
  /** What the customer sees when `content` does not say it (a template, filled in): messages.rendered. */
  rendered?: object | undefined;
  /** The message's text in the thread when it is not the preview (a media message: its caption or none). */
  body?: string | null | undefined;
}

/**
 * Queues any outbound message: checks the conversation (free-form types need the customer-service
 * window; templates do not), writes the message row (pending: the outbox entry) and its message.send
 * job in the same transaction, and answers at once. Every send type goes through here; a new type is
 * an input schema and a payload builder.
 */
export async function queueOutboundMessage(
  tx: Tx,
  outbox: Outbox,
  draft: OutboundDraft,
): Promise<{ id: string; status: 'queued' }> {
  const { built, conversationId } = draft;
  const { waId } = await sendableConversation(tx, conversationId, built.message.type !== 'template');
  const contextWamid = draft.contextMessageId
    ? await wamidOf(tx, conversationId, draft.contextMessageId, 'quote')
    : null;
  const content = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: waId,
    ...(contextWamid ? { context: { message_id: contextWamid } } : {}),
    ...built.message,
  };
  const id = await tx.oneFirst(
    insertPendingMessage({
      tenantId: draft.tenantId,
      conversationId,
      type: built.message.type,
      body: draft.body === undefined ? built.preview : draft.body,
      content,
      contextWamid,
      rendered: draft.rendered,
    }),
  );
  await tx.query(conversationSent(conversationId, built.preview));
  outbox.send(sendJob(draft.tenantId, id, draft.requestId));
  return { id, status: 'queued' };
}

/** A reaction (or its removal, with an empty emoji) to a message of the conversation. */
export async function queueReaction(
  tx: Tx,
  outbox: Outbox,
  input: { tenantId: string; conversationId: string; messageId: string; emoji: string; requestId?: string },
) {
  const target = await wamidOf(tx, input.conversationId, input.messageId, 'react');
  return queueOutboundMessage(tx, outbox, {
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    built: buildReaction(target, input.emoji),
    requestId: input.requestId,
  });
}

/**
 * Puts a failed message that Meta never accepted (no wamid) back to pending, for one more message.send:
 * also one whose outcome stayed unknown, which the agent decides to send again.
 */
export async function requeueFailedMessage(
  tx: Tx,
  outbox: Outbox,
  input: { tenantId: string; messageId: string; requestId?: string },
): Promise<void> {
  const failed = await tx.maybeOne(failedUnsentMessage(input.messageId));
  if (!failed) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'Only a message that failed before Meta accepted it can be sent again.',
    });
  }
  await sendableConversation(tx, failed.conversationId, failed.type !== 'template');
  await tx.query(requeueMessage(input.messageId));
  outbox.send(sendJob(input.tenantId, input.messageId, input.requestId));
}

/**
 * Marks the customer's messages read on their phone now (even when the channel does not send read
 * receipts on its own), with "typing…" if asked; the message.read job talks to Meta.
 */
export async function queueMarkRead(
  tx: Tx,
  outbox: Outbox,
  input: { tenantId: string; conversationId: string; typing: boolean },
): Promise<void> {
  if (!(await tx.exists(conversationExists(input.conversationId)))) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  }
  await tx.query(clearUnread(input.conversationId));
  outbox.send({
    name: 'message.read',
    data: {
      tenantId: input.tenantId,
      conversationId: input.conversationId,
      typing: input.typing,
      explicit: true,
    },
  });
}
