import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { text } from '../../trpc/text.ts';

/** The customer-service window: free-form messages only within 24 h of the customer's last message. */
export const serviceWindowHours = 24;

/** Meta's limit for a text message body (Cloud API, messages: text.body, 4096 characters). */
export const maxTextLength = 4096;

export const replyTextSchema = text({
  min: 1,
  max: maxTextLength,
  tooShort: 'Write a message.',
  tooLong: `A WhatsApp message can have at most ${maxTextLength} characters.`,
});

const conversationRow = z.object({
  id: z.string(),
  waId: z.string().nullable(),
  windowOpen: z.boolean(),
});

/** The conversation's customer number, once the rules for a free-form reply hold (active workspace, open window). */
async function replyableConversation(tx: Tx, conversationId: string) {
  await tx.query(sql.unsafe`select app_public.assert_tenant_active()`);
  const conversation = await tx.maybeOne(sql.type(conversationRow)`
    select c.id, k.wa_id as "waId",
           coalesce(c.last_inbound_at > now() - make_interval(hours => ${serviceWindowHours}), false) as "windowOpen"
    from app_public.conversations c join app_public.contacts k on k.id = c.contact_id
    where c.id = ${conversationId}
  `);
  if (!conversation) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  if (!conversation.windowOpen) {
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

/** Queues a text reply: the message row (pending) is the outbox entry; message.send delivers it. */
export async function createTextMessage(
  tx: Tx,
  input: { tenantId: string; conversationId: string; text: string },
) {
  const { waId } = await replyableConversation(tx, input.conversationId);
  const content = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: waId,
    type: 'text',
    text: { body: input.text },
  };
  const id = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into app_public.messages (tenant_id, conversation_id, direction, type, body, content, status, occurred_at)
    values (${input.tenantId}, ${input.conversationId}, 'outbound', 'text', ${input.text}, ${sql.jsonb(content)}, 'pending', now())
    returning id
  `);
  await tx.query(sql.unsafe`
    update app_public.conversations set last_message_at = now(), last_message_preview = ${input.text}, unread_count = 0
    where id = ${input.conversationId}
  `);
  return id;
}

/** Puts a failed reply that Meta never accepted (no wamid) back to pending, for one more message.send. */
export async function requeueFailedMessage(tx: Tx, messageId: string): Promise<void> {
  const failed = await tx.maybeOne(sql.type(z.object({ conversationId: z.string() }))`
    select conversation_id as "conversationId" from app_public.messages
    where id = ${messageId} and direction = 'outbound' and status = 'failed' and wamid is null
  `);
  if (!failed) {
    throw new TRPCError({
      code: 'PRECONDITION_FAILED',
      message: 'Only a reply that failed before Meta accepted it can be sent again.',
    });
  }
  await replyableConversation(tx, failed.conversationId);
  await tx.query(sql.unsafe`
    update app_public.messages set status = 'pending', error = null where id = ${messageId}
  `);
}
