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

/**
 * Finds or creates the contact for a phone number (wa_id) and/or business-scoped user id, filling in
 * whichever identifier and profile details it did not have yet.
 */
export async function upsertContact(tx: Tx, tenantId: string, who: ContactIdentity): Promise<string> {
  const waId = who.waId ?? null;
  const bsuid = who.bsuid ?? null;
  const existing = await tx.maybeOneFirst(sql.type(idRow)`
    select id from app_public.contacts
    where (${waId}::text is not null and wa_id = ${waId}) or (${bsuid}::text is not null and bsuid = ${bsuid})
    order by (wa_id is not distinct from ${waId}) desc
    limit 1
  `);
  if (existing) {
    await tx.query(sql.unsafe`
      update app_public.contacts c set
        profile_name = coalesce(${who.profileName ?? null}, c.profile_name),
        username = coalesce(${who.username ?? null}, c.username),
        wa_id = case when c.wa_id is null and not exists (select 1 from app_public.contacts o where o.wa_id = ${waId})
                     then ${waId} else c.wa_id end,
        bsuid = case when ${bsuid}::text is not null and not exists (select 1 from app_public.contacts o where o.bsuid = ${bsuid} and o.id <> c.id)
                     then ${bsuid} else c.bsuid end
      where c.id = ${existing}
    `);
    return existing;
  }
  const inserted = await tx.maybeOneFirst(sql.type(idRow)`
    insert into app_public.contacts (tenant_id, wa_id, bsuid, profile_name, username)
    values (${tenantId}, ${waId}, ${bsuid}, ${who.profileName ?? null}, ${who.username ?? null})
    on conflict do nothing
    returning id
  `);
  // Another worker created it between our look-up and insert: use theirs.
  return inserted ?? upsertContact(tx, tenantId, who);
}

export async function upsertConversation(tx: Tx, number: RoutedNumber, contactId: string): Promise<string> {
  const inserted = await tx.maybeOneFirst(sql.type(idRow)`
    insert into app_public.conversations (tenant_id, phone_number_id, contact_id)
    values (${number.tenantId}, ${number.phoneNumberUuid}, ${contactId})
    on conflict (tenant_id, phone_number_id, contact_id) do nothing
    returning id
  `);
  return (
    inserted ??
    tx.oneFirst(sql.type(idRow)`
      select id from app_public.conversations where phone_number_id = ${number.phoneNumberUuid} and contact_id = ${contactId}
    `)
  );
}

/** Raises a message to the best status recorded for its wamid; never lowers it. */
async function applyBestStatus(tx: Tx, wamid: string): Promise<void> {
  await tx.query(sql.unsafe`
    update app_public.messages m
    set status = best.status, error = case when best.status = 'failed' then best.errors else m.error end
    from (
      select s.status, s.errors from app_public.message_statuses s
      where s.wamid = ${wamid}
      order by app_public.message_status_rank(s.status) desc
      limit 1
    ) best
    where m.wamid = ${wamid} and m.direction = 'outbound'
      and app_public.message_status_rank(best.status) > app_public.message_status_rank(m.status)
  `);
}

export async function recordStatus(tx: Tx, tenantId: string, status: MessageStatus): Promise<void> {
  await tx.query(sql.unsafe`
    insert into app_public.message_statuses
      (tenant_id, wamid, status, occurred_at, recipient_id, recipient_user_id, pricing, conversation, errors)
    values (
      ${tenantId}, ${status.id}, ${status.status}, ${epochToIso(status.timestamp)},
      ${status.recipient_id ?? null}, ${status.recipient_user_id ?? null},
      ${status.pricing === undefined ? null : sql.jsonb(status.pricing as never)},
      ${status.conversation === undefined ? null : sql.jsonb(status.conversation as never)},
      ${status.errors === undefined ? null : sql.jsonb(status.errors as never)}
    )
    on conflict (tenant_id, wamid, status) do nothing
  `);
  await applyBestStatus(tx, status.id);
}

async function recordReaction(
  tx: Tx,
  tenantId: string,
  contactId: string,
  message: InboundMessage,
): Promise<void> {
  const reaction = (message.reaction ?? {}) as { message_id?: string; emoji?: string };
  if (!reaction.message_id) return;
  const at = epochToIso(message.timestamp);
  if (!reaction.emoji) {
    // An empty emoji removes the reaction (unless a newer one arrived first).
    await tx.query(sql.unsafe`
      delete from app_public.message_reactions
      where message_wamid = ${reaction.message_id} and contact_id = ${contactId} and reacted_at <= ${at}
    `);
    return;
  }
  await tx.query(sql.unsafe`
    insert into app_public.message_reactions (tenant_id, message_wamid, contact_id, emoji, reaction_wamid, reacted_at)
    values (${tenantId}, ${reaction.message_id}, ${contactId}, ${reaction.emoji}, ${message.id}, ${at})
    on conflict (tenant_id, message_wamid, contact_id) do update
      set emoji = excluded.emoji, reaction_wamid = excluded.reaction_wamid, reacted_at = excluded.reacted_at
      where message_reactions.reacted_at <= excluded.reacted_at
  `);
}

/** Stores one message (idempotently by wamid) and moves its conversation forward; returns whether it was new. */
async function storeMessage(
  tx: Tx,
  tenantId: string,
  conversationId: string,
  message: InboundMessage,
  direction: 'inbound' | 'outbound',
): Promise<boolean> {
  const at = epochToIso(message.timestamp);
  const preview = messagePreview(message);
  const inserted = await tx.maybeOneFirst(sql.type(idRow)`
    insert into app_public.messages
      (tenant_id, conversation_id, wamid, direction, type, body, content, context_wamid, status, error, occurred_at)
    values (
      ${tenantId}, ${conversationId}, ${message.id}, ${direction}, ${message.type}, ${preview},
      ${sql.jsonb(message as never)}, ${message.context?.id ?? null},
      ${direction === 'inbound' ? 'received' : 'sent'},
      ${message.errors ? sql.jsonb(message.errors as never) : null}, ${at}
    )
    on conflict (tenant_id, wamid) do nothing
    returning id
  `);
  if (!inserted) return false;
  const inbound = direction === 'inbound';
  await tx.query(sql.unsafe`
    update app_public.conversations set
      last_message_preview = case when last_message_at is null or ${at} >= last_message_at then ${preview} else last_message_preview end,
      last_message_at = greatest(last_message_at, ${at}),
      last_inbound_at = case when ${inbound} then greatest(last_inbound_at, ${at}) else last_inbound_at end,
      unread_count = unread_count + case when ${inbound} then 1 else 0 end,
      status = case when ${inbound} and status = 'resolved' then 'open' else status end
    where id = ${conversationId}
  `);
  if (!inbound) await applyBestStatus(tx, message.id);
  return true;
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
    const contactId = await upsertContact(tx, number.tenantId, contactFor(value, message));
    if (message.type === 'reaction') {
      await recordReaction(tx, number.tenantId, contactId, message);
      notes.push(`reaction from ${message.from ?? message.from_user_id}`);
      continue;
    }
    const conversationId = await upsertConversation(tx, number, contactId);
    const isNew = await storeMessage(tx, number.tenantId, conversationId, message, 'inbound');
    if (message.type === 'system') {
      const changed = (message.system ?? {}) as { wa_id?: string };
      if (changed.wa_id) {
        await tx.query(sql.unsafe`
          update app_public.contacts set wa_id = ${changed.wa_id}
          where id = ${contactId} and not exists (select 1 from app_public.contacts o where o.wa_id = ${changed.wa_id})
        `);
      }
    }
    notes.push(
      `${message.type} message from ${message.from ?? message.from_user_id}${isNew ? '' : ' (duplicate)'}`,
    );
  }
  for (const echo of value.message_echoes ?? []) {
    const contactId = await upsertContact(tx, number.tenantId, { waId: echo.to });
    const conversationId = await upsertConversation(tx, number, contactId);
    await storeMessage(tx, number.tenantId, conversationId, echo, 'outbound');
    notes.push(`${echo.type} sent from the WhatsApp Business app to ${echo.to}`);
  }
  for (const status of value.statuses ?? []) {
    await recordStatus(tx, number.tenantId, status);
    notes.push(`status ${status.status} for ${status.id}`);
  }
  if (value.errors?.length)
    notes.push(`errors reported by Meta: ${JSON.stringify(value.errors).slice(0, 300)}`);
  return notes;
}
