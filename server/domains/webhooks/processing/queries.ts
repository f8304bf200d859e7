import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../../db/tx.ts';
import { uuidv7 } from '../../../db/uuid.ts';
import { countryOfWaId } from '../../contacts/phone.ts';

/*
 * The set-based statements of webhook processing: each takes every row of a batch (one tenant, in
 * the transaction withTenant opened) as one jsonb array and writes them in one round trip. They run
 * as parley_app under the tenant's row-level security, like the per-item functions in
 * sql/functions/85-inbound.sql, whose semantics they keep (see the comments there). New rows get
 * their ids here (uuidv7, time-ordered as the column default is): the default, a SQL function
 * evaluated per row, was ~2.6 calls per event.
 */

/**
 * A batch's rows as one jsonb parameter. slonik's sql.jsonb serialises with a cycle-safe stringify
 * and then scans every string for NUL characters: ~9 % of the worker's CPU in a profile of
 * processing, for data that is plain JSON from parseWebhookBody (which already replaced NULs). Should
 * a NUL escape show up anyway, sql.jsonb refuses it with its clear error.
 */
const jsonbRows = (rows: unknown) => {
  const text = JSON.stringify(rows);
  return text.includes('\\u0000') ? sql.jsonb(rows as never) : sql.fragment`${text}::jsonb`;
};

/**
 * Serialises the batch transactions of one tenant across workers: two batches inserting the same new
 * contact or conversation would otherwise find the other's row only after it commits (and miss it in
 * their own statement). Other tenants' batches run in parallel. 17 is issue 17's namespace.
 */
export async function lockTenantBatches(tx: Tx): Promise<void> {
  await tx.query(sql.unsafe`select pg_advisory_xact_lock(17, hashtext(current_setting('app.tenant_id')))`);
}

export interface ContactInput {
  key: string;
  waId: string | null;
  bsuid: string | null;
  profileName: string | null;
  username: string | null;
}

const contactIdRow = z.object({ key: z.string(), id: z.string().nullable() });

/**
 * Finds or creates the contact of every identity (app_public.upsert_contact for a whole batch): found
 * by phone number first, then by BSUID, filling in what it lacked (a taken identifier stays with its
 * contact). The caller passes identities that share no phone number or BSUID with each other. A null
 * id means another transaction created the contact meanwhile (retry).
 */
export async function upsertContacts(tx: Tx, contacts: ContactInput[]) {
  return tx.any(sql.type(contactIdRow)`
    with input as (
      select * from jsonb_to_recordset(${jsonbRows(
        contacts.map((contact) => ({ ...contact, country: countryOfWaId(contact.waId), newId: uuidv7() })),
      )})
        as i (key text, "waId" text, bsuid text, "profileName" text, username text, country text, "newId" uuid)
    ), found as (
      select i.*, coalesce(
        (select c.id from app_public.contacts c where c.wa_id = i."waId"),
        (select c.id from app_public.contacts c where c.bsuid = i.bsuid)
      ) as id
      from input i
    ), updated as (
      update app_public.contacts c set
        profile_name = coalesce(f."profileName", c.profile_name),
        username = coalesce(f.username, c.username),
        wa_id = case when c.wa_id is null and f."waId" is not null
                      and not exists (select 1 from app_public.contacts o where o.wa_id = f."waId") then f."waId" else c.wa_id end,
        bsuid = case when f.bsuid is not null
                      and not exists (select 1 from app_public.contacts o where o.bsuid = f.bsuid and o.id <> c.id) then f.bsuid else c.bsuid end,
        country = coalesce(c.country, f.country)
      from found f
      where c.id = f.id
        and ((coalesce(f."profileName", c.profile_name), coalesce(f.username, c.username)) is distinct from (c.profile_name, c.username)
             or (c.wa_id is null and f."waId" is not null)
             or (f.bsuid is not null and c.bsuid is distinct from f.bsuid)
             or (c.country is null and f.country is not null))
    ), inserted as (
      insert into app_public.contacts (id, tenant_id, wa_id, bsuid, profile_name, username, country)
      select f."newId", app_public.current_tenant_id(), f."waId", f.bsuid, f."profileName", f.username, f.country
      from found f where f.id is null
      order by f.key
      on conflict do nothing
      returning id, wa_id, bsuid
    )
    select f.key, coalesce(f.id, n.id) as id
    from found f
    left join inserted n on f.id is null and n.wa_id is not distinct from f."waId" and n.bsuid is not distinct from f.bsuid
  `);
}

export interface ConversationInput {
  phoneNumberId: string;
  contactId: string;
}

const conversationIdRow = z.object({
  phoneNumberId: z.string(),
  contactId: z.string(),
  id: z.string().nullable(),
});

/** The conversation of every (phone number, contact) pair, created when missing (app_public.upsert_conversation for a batch). */
export async function upsertConversations(tx: Tx, pairs: ConversationInput[]) {
  return tx.any(sql.type(conversationIdRow)`
    with input as (
      select * from jsonb_to_recordset(${jsonbRows(pairs.map((pair) => ({ ...pair, newId: uuidv7() })))})
        as i ("phoneNumberId" uuid, "contactId" uuid, "newId" uuid)
    ), inserted as (
      insert into app_public.conversations (id, tenant_id, phone_number_id, contact_id)
      select i."newId", app_public.current_tenant_id(), i."phoneNumberId", i."contactId" from input i
      order by 3, 4
      on conflict (tenant_id, phone_number_id, contact_id) do nothing
      returning id, phone_number_id, contact_id
    )
    -- An existing conversation by its unique key, one index probe per pair (a join was planned as a
    -- scan of every conversation of the workspace).
    select i."phoneNumberId", i."contactId", coalesce(n.id, (
      select c.id from app_public.conversations c
      where c.phone_number_id = i."phoneNumberId" and c.contact_id = i."contactId"
    )) as id
    from input i
    left join inserted n on n.phone_number_id = i."phoneNumberId" and n.contact_id = i."contactId"
  `);
}

export interface InboundMessageInput {
  /** Made in batch order (uuid v7, monotonic), so messages of the same second keep Meta's order. */
  id: string;
  /** Position in the batch: among messages of one conversation at the same instant, the later one is the preview. */
  ord: number;
  conversationId: string;
  wamid: string;
  type: string;
  body: string;
  content: unknown;
  contextWamid: string | null;
  errors: unknown;
  occurredAt: string;
}

const wamidRow = z.object({ wamid: z.string() });

/**
 * Stores inbound messages (one row per wamid; the caller passes each wamid once) and moves each
 * conversation forward once for all its new messages: unread count, last inbound (the 24-hour window),
 * preview of the latest, resolved and snoozed conversations reopened — app_public.store_message for a batch.
 * Returns the wamids that were new.
 */
export async function insertInboundMessages(tx: Tx, messages: InboundMessageInput[]) {
  return tx.anyFirst(sql.type(wamidRow)`
    with input as (
      select * from jsonb_to_recordset(${jsonbRows(messages)}) as i (
        id uuid, ord int, "conversationId" uuid, wamid text, type text, body text, content jsonb,
        "contextWamid" text, errors jsonb, "occurredAt" timestamptz
      )
    ), inserted as (
      insert into app_public.messages
        (id, tenant_id, conversation_id, wamid, direction, type, body, content, context_wamid, status, error, occurred_at)
      select i.id, app_public.current_tenant_id(), i."conversationId", i.wamid, 'inbound', i.type, i.body, i.content,
             i."contextWamid", 'received', i.errors, i."occurredAt"
      from input i
      order by i.ord
      on conflict (tenant_id, wamid) do nothing
      returning wamid
    ), latest as (
      select distinct on (i."conversationId") i."conversationId" as id, i."occurredAt" as at, i.body,
             count(*) over (partition by i."conversationId") as added
      from inserted n join input i on i.wamid = n.wamid
      order by i."conversationId", i."occurredAt" desc, i.ord desc
    ), moved as (
      update app_public.conversations c set
        last_message_preview = case when c.last_message_at is null or l.at >= c.last_message_at then l.body else c.last_message_preview end,
        last_message_at = greatest(c.last_message_at, l.at),
        last_inbound_at = greatest(c.last_inbound_at, l.at),
        unread_count = c.unread_count + l.added,
        inbound_seq = c.inbound_seq + l.added,
        status = case when c.status in ('resolved', 'snoozed') then 'open' else c.status end,
        snoozed_until = null
      from latest l
      where c.id = l.id
    )
    select wamid from inserted
  `);
}

export interface StatusInput {
  wamid: string;
  status: string;
  occurredAt: string;
  recipientId: string | null;
  recipientUserId: string | null;
  pricing: unknown;
  conversation: unknown;
  errors: unknown;
}

/**
 * Records statuses once per (wamid, status) and raises each outbound message to the best status known
 * for it, never lowering it (app_public.record_message_status for a batch). A status whose message is
 * not stored yet waits in message_statuses; storing the message applies it.
 */
export async function recordStatuses(tx: Tx, statuses: StatusInput[]): Promise<void> {
  await tx.query(sql.unsafe`
    with input as (
      select * from jsonb_to_recordset(${jsonbRows(statuses)}) as i (
        wamid text, status text, "occurredAt" timestamptz, "recipientId" text, "recipientUserId" text,
        pricing jsonb, conversation jsonb, errors jsonb
      )
    ), inserted as (
      insert into app_public.message_statuses
        (tenant_id, wamid, status, occurred_at, recipient_id, recipient_user_id, pricing, conversation, errors)
      select app_public.current_tenant_id(), i.wamid, i.status, i."occurredAt", i."recipientId", i."recipientUserId",
             i.pricing, i.conversation, i.errors
      from input i
      order by i.wamid, i.status
      on conflict (tenant_id, wamid, status) do nothing
      returning wamid
    ), known as (
      -- This statement's inserts are not visible to its own reads: the new rows come from input.
      select s.wamid, s.status, s.errors from app_public.message_statuses s
      where s.wamid in (select wamid from inserted)
      union all
      select i.wamid, i.status, i.errors from input i where i.wamid in (select wamid from inserted)
    ), best as (
      select distinct on (k.wamid) k.wamid, k.status, k.errors
      from known k
      order by k.wamid, app_public.message_status_rank(k.status) desc
    )
    update app_public.messages m
    set status = best.status, error = case when best.status = 'failed' then best.errors else m.error end
    from best
    where m.wamid = best.wamid and m.direction = 'outbound'
      and app_public.message_status_rank(best.status) > app_public.message_status_rank(m.status)
  `);
}

export interface WebhookEventInput {
  deliveryId: string;
  changeIndex: number;
  field: string;
  summary: string;
  payload: unknown;
  status: 'processed' | 'flagged' | 'failed';
  error: string | null;
}

/** The webhook log: one row per change, overwritten by a replay of the same delivery. */
export async function insertWebhookEvents(tx: Tx, events: WebhookEventInput[]): Promise<void> {
  if (events.length === 0) return;
  await tx.query(sql.unsafe`
    insert into app_public.webhook_events (id, tenant_id, delivery_id, change_index, field, summary, payload, status, error)
    select e.id, app_public.current_tenant_id(), e."deliveryId", e."changeIndex", e.field, e.summary, e.payload, e.status, e.error
    from jsonb_to_recordset(${jsonbRows(events.map((event) => ({ id: uuidv7(), ...event })))})
      as e (id uuid, "deliveryId" uuid, "changeIndex" int, field text, summary text, payload jsonb, status text, error text)
    on conflict (tenant_id, delivery_id, change_index) do update
      set summary = excluded.summary, payload = excluded.payload, status = excluded.status, error = excluded.error
  `);
}

/** Gives a message Parley sent without learning Meta's answer the wamid a status names (see 41-send-limits.sql). */
export async function reconcileSent(tx: Tx, messageId: string, wamid: string): Promise<void> {
  await tx.query(sql.unsafe`select app_public.reconcile_sent_message(${messageId}, ${wamid})`);
}

/** Every workspace (for platform jobs that visit each one under its own tenant scope). */
export const allTenantIds = () =>
  sql.type(z.object({ id: z.string() }))`select id from app_private.tenants order by id`;

/** Up to `limit` of the workspace's oldest log entries written before `before`. */
export const deleteWebhookEventsBefore = (before: string, limit: number) => sql.unsafe`
  with expired as (
    select tenant_id, id from app_public.webhook_events
    where tenant_id = app_public.current_tenant_id() and created_at < ${before}::timestamptz
    order by created_at
    limit ${limit}
  )
  delete from app_public.webhook_events e using expired x where e.tenant_id = x.tenant_id and e.id = x.id
`;
