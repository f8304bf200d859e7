import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../../db/tx.ts';
import type { InboundBatch } from './inbound-batch.ts';
import { countryOfWaId } from '../../contacts/phone.ts';
import { messagePreview } from './message-preview.ts';
import {
  contactSchema,
  describeIssues,
  echoSchema,
  epochToIso,
  inboundMessageSchema,
  statusSchema,
  type InboundMessage,
  type MessagesValue,
  type MessageStatus,
} from '../../../whatsapp/webhook-payloads.ts';

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

/** What a change came to: notes for the log, and the items set aside (each with its reason). */
export interface ChangeOutcome {
  notes: string[];
  flags: string[];
}

/**
 * Runs the work of one item (message, echo, status). In the fast path it runs as is; once a change
 * has failed, the caller passes a guard that runs each item in its own savepoint and turns a
 * permanent refusal into a flag, so one bad item never costs its neighbours.
 */
export type ItemGuard = (label: string, work: (tx: Tx) => Promise<void>) => Promise<void>;

/** contacts.wa_id's rule: a phone number in digits. Anything else (a doc placeholder, a username) cannot key a contact. */
const isWaId = (value: string | undefined): value is string =>
  value !== undefined && /^[0-9]{5,20}$/.test(value);

/** Finds or creates the contact for a phone number (wa_id) and/or business-scoped user id (sql/functions/85-inbound.sql). */
export async function upsertContact(tx: Tx, who: ContactIdentity): Promise<string> {
  const id = await tx.oneFirst(sql.type(idRow)`
    select app_public.upsert_contact(${who.waId ?? null}, ${who.bsuid ?? null}, ${who.profileName ?? null}, ${who.username ?? null}) as id
  `);
  // The country comes from the number (libphonenumber-js, not SQL), for contacts that have none yet.
  const country = countryOfWaId(who.waId ?? null);
  if (country)
    await tx.query(
      sql.unsafe`update app_public.contacts set country = ${country} where id = ${id} and country is null`,
    );
  return id;
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

/** The sender of an inbound message, from its own fields and the change's contacts[] (ids that cannot key a contact left out). */
function contactFor(value: MessagesValue, message: InboundMessage): ContactIdentity {
  const contacts = (value.contacts ?? []).flatMap((raw) => {
    const parsed = contactSchema.safeParse(raw);
    return parsed.success ? [parsed.data] : [];
  });
  const from = message.from;
  const fromUser = message.from_user_id;
  // contacts[0] stands for a sender only when the message names none itself: a message from an id
  // that cannot be a contact is not attributed to whoever else the change mentions.
  const profile =
    contacts.find((c) => (from && c.wa_id === from) || (fromUser && c.user_id === fromUser)) ??
    (from || fromUser ? undefined : contacts[0]);
  const waId = [from, profile?.wa_id].find(isWaId);
  return {
    waId,
    bsuid: fromUser ?? profile?.user_id,
    profileName: profile?.profile?.name,
    username: profile?.profile?.username,
  };
}

const describeSender = (message: InboundMessage) =>
  message.from ?? message.from_user_id ?? 'an unknown sender';

/**
 * A business-scoped user id rotation, reported by system messages (Meta's system messages reference):
 * `user_changed_user_id` (no from, no contacts[]: only the ids) and `user_changed_number` (a new number
 * regenerates the BSUID too).
 */
const userIdChange = z.looseObject({ previous_user_id: z.string().min(1), user_id: z.string().min(1) });

/**
 * Moves the contact that has the previous BSUID to the new one (unless another contact already has
 * it) and returns that contact; a replay finds it by the new id. Null when no contact has either.
 */
async function rotateUserId(tx: Tx, change: z.infer<typeof userIdChange>): Promise<string | null> {
  return tx.maybeOneFirst(sql.type(idRow)`
    with target as (
      select c.id, c.bsuid from app_public.contacts c
      where c.bsuid in (${change.previous_user_id}, ${change.user_id})
      order by (c.bsuid = ${change.previous_user_id}) desc
      limit 1
    ), moved as (
      update app_public.contacts c set bsuid = ${change.user_id}
      from target
      where c.id = target.id and target.bsuid = ${change.previous_user_id}
        and not exists (select 1 from app_public.contacts o where o.bsuid = ${change.user_id})
    )
    select id from target
  `);
}

/** A refusal found before touching the database (an id that cannot key a contact, say): flagged, never retried. */
export class Refusal extends Error {}

async function storeInbound(
  tx: Tx,
  number: RoutedNumber,
  value: MessagesValue,
  message: InboundMessage,
): Promise<string> {
  const who = contactFor(value, message);
  const rotation = message.type === 'system' ? userIdChange.safeParse(message.system) : undefined;
  const rotatedContact = rotation?.success ? await rotateUserId(tx, rotation.data) : null;
  if (rotation?.success && !who.waId && !who.bsuid) {
    // A user_changed_user_id message names nobody else: it belongs to the rotated contact's conversation.
    if (!rotatedContact)
      throw new Refusal(
        `no contact has the previous user id ${rotation.data.previous_user_id.slice(0, 60)}, so there is nothing to change`,
      );
    const conversationId = await upsertConversation(tx, number, rotatedContact);
    const stored = await storeMessage(tx, conversationId, message, 'inbound');
    return `user id changed from ${rotation.data.previous_user_id} to ${rotation.data.user_id}${stored ? '' : ' (duplicate)'}`;
  }
  if (!who.waId && !who.bsuid)
    throw new Refusal(
      message.from
        ? `the sender id "${message.from.slice(0, 40)}" is not a phone number and no user id was given`
        : 'it names no sender (no from, no from_user_id, no contact)',
    );
  if (message.type === 'reaction') {
    await recordReaction(tx, await upsertContact(tx, who), message);
    return `reaction from ${describeSender(message)}`;
  }
  const stored = await tx.one(sql.type(z.object({ contactId: z.string(), stored: z.boolean() }))`
    select contact_id as "contactId", stored from app_public.ingest_inbound_message(
      ${number.phoneNumberUuid}, ${who.waId ?? null}, ${who.bsuid ?? null}, ${who.profileName ?? null}, ${who.username ?? null},
      ${message.id}, ${message.type}, ${messagePreview(message)}, ${sql.jsonb(message as never)},
      ${message.context?.id ?? null}, ${jsonOrNull(message.errors)}, ${epochToIso(message.timestamp)}
    )
  `);
  if (message.type === 'system') {
    // A customer's new number: wa_id (new_wa_id in older versions).
    const changed = (message.system ?? {}) as { new_wa_id?: unknown; wa_id?: unknown };
    const newWaId = [changed.wa_id, changed.new_wa_id]
      .map((id) => (typeof id === 'string' || typeof id === 'number' ? String(id) : undefined))
      .find(isWaId);
    if (newWaId) {
      await tx.query(sql.unsafe`
        update app_public.contacts set wa_id = ${newWaId}
        where id = ${stored.contactId} and not exists (select 1 from app_public.contacts o where o.wa_id = ${newWaId})
      `);
    }
  }
  return `${message.type} message from ${describeSender(message)}${stored.stored ? '' : ' (duplicate)'}`;
}

const itemId = (raw: unknown, fallback: string) => {
  const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id.slice(0, 100) : fallback;
};

/** The phone numbers and BSUIDs a message handled item by item may read or change (see InboundBatch). */
function identitiesTouched(value: MessagesValue, message: InboundMessage) {
  const system = (message.system ?? {}) as Record<string, unknown>;
  const ids = (...keys: string[]) =>
    keys
      .map((key) => system[key])
      .filter((id): id is string | number => typeof id === 'string' || typeof id === 'number');
  return [
    contactFor(value, message),
    ...ids('wa_id', 'new_wa_id').map((id) => ({ waId: String(id) })),
    ...ids('user_id', 'previous_user_id').map((id) => ({ bsuid: String(id) })),
  ];
}

/**
 * Applies a `messages` or `smb_message_echoes` change: contacts, inbound messages of every type,
 * reactions, echoes and statuses. Each item is validated on its own; a malformed one is flagged with
 * its reason and its valid neighbours are stored.
 *
 * With a batch (the fast path), plain inbound messages and statuses join the batch's set statements
 * and the other items are queued on it; notes are filled in when the batch is flushed, so read the
 * outcome only after that.
 */
export async function handleMessagesChange(
  number: RoutedNumber,
  value: MessagesValue,
  guard: ItemGuard,
  batch?: InboundBatch,
): Promise<ChangeOutcome> {
  const notes: string[] = [];
  const flags: string[] = [];
  const each = async <T>(
    kind: string,
    items: unknown[] | undefined,
    schema: z.ZodType<T>,
    work: (tx: Tx, item: T) => Promise<string>,
    offer?: (item: T, note: (text: string) => void) => boolean,
  ) => {
    for (const [index, raw] of (items ?? []).entries()) {
      const label = `${kind} ${itemId(raw, `#${index + 1}`)}`;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        flags.push(`${label}: ${describeIssues(parsed.error, raw)}`);
        continue;
      }
      // A slot per item keeps the notes in Meta's order, however late each is written.
      const slot = notes.push('') - 1;
      const note = (text: string) => {
        notes[slot] = text;
      };
      if (offer?.(parsed.data, note)) continue;
      await guard(label, async (tx) => {
        try {
          note(await work(tx, parsed.data));
        } catch (error) {
          if (!(error instanceof Refusal)) throw error;
          flags.push(`${label}: ${error.message}`);
        }
      });
    }
  };
  await each(
    'message',
    value.messages,
    inboundMessageSchema,
    (tx, message) => storeInbound(tx, number, value, message),
    batch &&
      ((message, note) => {
        const who = contactFor(value, message);
        if (message.type === 'reaction' || message.type === 'system' || (!who.waId && !who.bsuid)) {
          batch.touch(identitiesTouched(value, message));
          return false;
        }
        batch.addInbound({
          phoneNumberUuid: number.phoneNumberUuid,
          who,
          message,
          done: (stored) =>
            note(`${message.type} message from ${describeSender(message)}${stored ? '' : ' (duplicate)'}`),
          alone: async (tx) => note(await storeInbound(tx, number, value, message)),
        });
        return true;
      }),
  );
  await each(
    'echo',
    value.message_echoes,
    echoSchema,
    async (tx, echo) => {
      // Echoes name their recipient by phone (to) or, for users known only by BSUID, by to_user_id.
      const waId = isWaId(echo.to) ? echo.to : undefined;
      if (!waId && !echo.to_user_id)
        throw new Refusal(
          echo.to
            ? `the recipient id "${echo.to.slice(0, 40)}" is not a phone number and no user id was given`
            : 'it names no recipient (no to, no to_user_id)',
        );
      const contactId = await upsertContact(tx, { waId, bsuid: echo.to_user_id });
      const conversationId = await upsertConversation(tx, number, contactId);
      await storeMessage(tx, conversationId, echo, 'outbound');
      return `${echo.type} sent from the WhatsApp Business app to ${echo.to ?? echo.to_user_id}`;
    },
    batch &&
      ((echo) => {
        batch.touch([{ waId: isWaId(echo.to) ? echo.to : undefined, bsuid: echo.to_user_id }]);
        return false;
      }),
  );
  await each(
    'status',
    value.statuses,
    statusSchema,
    async (tx, status) => {
      await recordStatus(tx, status);
      return `status ${status.status} for ${status.id}`;
    },
    batch &&
      ((status, note) => {
        batch.addStatus(status);
        note(`status ${status.status} for ${status.id}`);
        return true;
      }),
  );
  if (value.errors?.length)
    notes.push(`errors reported by Meta: ${JSON.stringify(value.errors).slice(0, 300)}`);
  return { notes, flags };
}
