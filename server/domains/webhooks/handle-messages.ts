import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { messagePreview } from './message-preview.ts';
import { epochToIso, type InboundMessage, type MessagesValue, type MessageStatus } from './payload.ts';

const idRow = z.object({ id: z.string() });

export interface RoutedNumber {
  tenantId: string;
  phoneNumberUuid: string;
}

interface ContactIdentity {
  waId?: string | undefined;
  bsuid?: string | undefined;
  profileName?: string | undefined;
  username?: string | undefined;
}

/** Finds or creates the contact for a phone number (wa_id) and/or business-scoped user id (sql/functions/85-inbound.sql). */
export async function upsertContact(tx: Tx, who: ContactIdentity): Promise<string> {
  return tx.oneFirst(sql.type(idRow)`
    select app_public.upsert_contact(${who.waId ?? null}, ${who.bsuid ?? null}, ${who.profileName ?? null}, ${who.username ?? null}) as id
  `);
}

export async function upsertConversation(tx: Tx, number: RoutedNumber, contactId: string): Promise<string> {
  return tx.oneFirst(
    sql.type(idRow)`select app_public.upsert_conversation(${number.phoneNumberUuid}, ${contactId}) as id`,
  );
}

const jsonOrNull = (value: unknown) => (value === undefined ? null : sql.jsonb(value));

/** Records a status once per (wamid, status) and raises its message to the best status known. */
export async function recordStatus(tx: Tx, status: MessageStatus): Promise<void> {
  await tx.query(sql.unsafe`
    select app_public.record_message_status(
      ${status.id}, ${status.status}, ${epochToIso(status.timestamp)},
      ${status.recipient_id ?? null}, ${status.recipient_user_id ?? null},
      ${jsonOrNull(status.pricing)}, ${jsonOrNull(status.conversation)}, ${jsonOrNull(status.errors)}
    )
  `);
}

async function recordReaction(tx: Tx, contactId: string, message: InboundMessage): Promise<void> {
  const reaction = (message.reaction ?? {}) as { message_id?: string; emoji?: string };
  if (!reaction.message_id) return;
  // Latest by timestamp wins; an empty emoji (removal) is kept as a tombstone (sql/functions/86-reactions.sql).
  await tx.query(sql.unsafe`
    select app_public.record_reaction(
      ${reaction.message_id}, ${contactId}, ${reaction.emoji ?? null}, ${message.id}, ${epochToIso(message.timestamp)}
    )
  `);
}

/** Stores one message (idempotently by wamid) and moves its conversation forward; returns whether it was new. */
async function storeMessage(
  tx: Tx,
  conversationId: string,
  message: InboundMessage,
  direction: 'inbound' | 'outbound',
): Promise<boolean> {
  return tx.oneFirst(sql.type(z.object({ stored: z.boolean() }))`
    select app_public.store_message(
      ${conversationId}, ${direction}, ${message.id}, ${message.type}, ${messagePreview(message)},
      ${sql.jsonb(message as never)}, ${message.context?.id ?? null}, ${jsonOrNull(message.errors)}, ${epochToIso(message.timestamp)}
    ) as stored
  `);
}

function contactFor(value: MessagesValue, message: InboundMessage): ContactIdentity {
  const waId = message.from;
  const bsuid = message.from_user_id;
  const profile =
    value.contacts?.find((c) => (waId && c.wa_id === waId) || (bsuid && c.user_id === bsuid)) ??
    value.contacts?.[0];
  return {
    waId: waId ?? profile?.wa_id,
    bsuid: bsuid ?? profile?.user_id,
    profileName: profile?.profile?.name,
    username: profile?.profile?.username,
  };
}

/** Applies a `messages` change: contacts, inbound messages of every type, reactions and statuses. */
export async function handleMessagesChange(
  tx: Tx,
  number: RoutedNumber,
  value: MessagesValue,
): Promise<string[]> {
  const notes: string[] = [];
  for (const message of value.messages ?? []) {
    const who = contactFor(value, message);
    if (message.type === 'reaction') {
      await recordReaction(tx, await upsertContact(tx, who), message);
      notes.push(`reaction from ${message.from ?? message.from_user_id}`);
      continue;
    }
    const stored = await tx.one(sql.type(z.object({ contact_id: z.string(), stored: z.boolean() }))`
      select contact_id, stored from app_public.ingest_inbound_message(
        ${number.phoneNumberUuid}, ${who.waId ?? null}, ${who.bsuid ?? null}, ${who.profileName ?? null}, ${who.username ?? null},
        ${message.id}, ${message.type}, ${messagePreview(message)}, ${sql.jsonb(message as never)},
        ${message.context?.id ?? null}, ${jsonOrNull(message.errors)}, ${epochToIso(message.timestamp)}
      )
    `);
    if (message.type === 'system') {
      const changed = (message.system ?? {}) as { wa_id?: string };
      if (changed.wa_id) {
        await tx.query(sql.unsafe`
          update app_public.contacts set wa_id = ${changed.wa_id}
          where id = ${stored.contact_id} and not exists (select 1 from app_public.contacts o where o.wa_id = ${changed.wa_id})
        `);
      }
    }
    notes.push(
      `${message.type} message from ${message.from ?? message.from_user_id}${stored.stored ? '' : ' (duplicate)'}`,
    );
  }
  for (const echo of value.message_echoes ?? []) {
    const contactId = await upsertContact(tx, { waId: echo.to });
    const conversationId = await upsertConversation(tx, number, contactId);
    await storeMessage(tx, conversationId, echo, 'outbound');
    notes.push(`${echo.type} sent from the WhatsApp Business app to ${echo.to}`);
  }
  for (const status of value.statuses ?? []) {
    await recordStatus(tx, status);
    notes.push(`status ${status.status} for ${status.id}`);
  }
  if (value.errors?.length)
    notes.push(`errors reported by Meta: ${JSON.stringify(value.errors).slice(0, 300)}`);
  return notes;
}
