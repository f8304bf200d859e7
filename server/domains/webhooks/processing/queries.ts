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
 *
 * Planning: the planner can estimate neither a jsonb_to_recordset nor `tenant_id =
 * current_tenant_id()` (the policies' condition), so a join of a batch's rows to a table was planned
 * as a scan of every row of the workspace (a cost growing with it). Existing rows are reached by key
 * only: a correlated probe per batch row, or `id = any(array(…))` on the primary key.
 *
 * Concurrency: batches of one workspace run side by side without a lock. Every write is an upsert
 * keyed by a unique constraint; a row another transaction inserts meanwhile makes ours wait for its
 * commit and skip, and the caller asks again for what was skipped (a new statement sees the row).
 * Rows are written in key order (contacts by identity, conversations by number and contact or by
 * id), so two batches take shared rows in one order.
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
      -- By primary key (see the top of this file).
      where c.id = any(array(select f.id from found f where f.id is not null)) and c.id = f.id
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
      returning id
    )
    select f.key, coalesce(f.id, n.id) as id
    from found f
    left join inserted n on n.id = f."newId"
  `);
}

export interface ConversationInput {
  /** The pair's number in this call; messages name their conversation by it. */
  pair: number;
  phoneNumberId: string;
  contactId: string;
  /** The id the conversation gets if it is new. */
  newId: string;
}

export interface InboundMessageInput {
  /** Made in batch order (uuid v7, monotonic), so messages of the same second keep Meta's order. */
  id: string;
  /** Position in the batch: among messages of one conversation at the same instant, the later one is the preview. */
  ord: number;
  /** ConversationInput.pair of its conversation. */
  pair: number;
  wamid: string;
  type: string;
  body: string;
  content: unknown;
  contextWamid: string | null;
  errors: unknown;
  occurredAt: string;
}

const storedRow = z.object({ wamid: z.string().nullable(), lostPair: z.number().nullable() });

/**
 * Stores inbound messages (one row per wamid; the caller passes each wamid once) with their
 * conversations, in one statement — app_public.upsert_conversation and store_message for a batch:
 *
 * - a pair without a conversation gets one inserted with its counters already set (unread count,
 *   last inbound for the 24-hour window, preview of the latest): one row version, instead of an
 *   insert and an update of the same row with its 13 indexes. Its messages cannot be stored yet,
 *   unless under another conversation, which a probe by wamid rules out;
 * - an existing conversation moves forward once for all its new messages (resolved and snoozed
 *   ones reopen), counted from the rows actually inserted.
 *
 * No lock is held across batches: a conversation another transaction created meanwhile makes the
 * insert skip it (after waiting for that commit); its messages are not stored and their pair comes
 * back as `lostPair`, for the caller to store again (the conversation is then an existing one).
 * Returns the wamids that were new.
 */
export async function storeInboundMessages(
  tx: Tx,
  conversations: ConversationInput[],
  messages: InboundMessageInput[],
) {
  const rows = await tx.any(sql.type(storedRow)`
    with pair as materialized (
      -- By contact (its index: a contact has a conversation per number), the number as a filter
      -- (\`is not distinct from\` is no index condition): with both as index conditions, a table
      -- without statistics yet ties the unique key with the (tenant, number, status, …) inbox index,
      -- and the planner took that one, a scan of every conversation of the number per probe.
      select p.*, (
        select c.id from app_public.conversations c
        where c.contact_id = p."contactId" and c.phone_number_id is not distinct from p."phoneNumberId"
      ) as existing
      from jsonb_to_recordset(${jsonbRows(conversations)}) as p (pair int, "phoneNumberId" uuid, "contactId" uuid, "newId" uuid)
    ), input as materialized (
      select i.*, p.existing, p."newId", p."phoneNumberId", p."contactId"
      from jsonb_to_recordset(${jsonbRows(messages)}) as i (
        id uuid, ord int, pair int, wamid text, type text, body text, content jsonb,
        "contextWamid" text, errors jsonb, "occurredAt" timestamptz
      )
      join pair p on p.pair = i.pair
    ), opening as (
      select f.*, count(*) over (partition by f.pair) as added
      from input f
      where f.existing is null
        and not exists (select 1 from app_public.messages m where m.wamid = f.wamid)
    ), opened as (
      insert into app_public.conversations
        (id, tenant_id, phone_number_id, contact_id, last_message_at, last_message_preview, last_inbound_at, unread_count, inbound_seq)
      select l."newId", app_public.current_tenant_id(), l."phoneNumberId", l."contactId", l."occurredAt", l.body, l."occurredAt", l.added, l.added
      from (
        select distinct on (o.pair) o.* from opening o order by o.pair, o."occurredAt" desc, o.ord desc
      ) l
      order by l."phoneNumberId", l."contactId"
      on conflict (tenant_id, phone_number_id, contact_id) do nothing
      returning id
    ), inserted as (
      insert into app_public.messages
        (id, tenant_id, conversation_id, wamid, direction, type, body, content, context_wamid, status, error, occurred_at)
      select i.id, app_public.current_tenant_id(), coalesce(i.existing, i."newId"), i.wamid, 'inbound', i.type, i.body, i.content,
             i."contextWamid", 'received', i.errors, i."occurredAt"
      from input i
      where i.existing is not null or i."newId" in (select id from opened)
      order by i.ord
      on conflict (tenant_id, wamid) do nothing
      returning wamid, conversation_id
    ), latest as (
      select distinct on (n.conversation_id) n.conversation_id as id, i."occurredAt" as at, i.body,
             count(*) over (partition by n.conversation_id) as added
      from inserted n join input i on i.wamid = n.wamid
      where i.existing is not null
      order by n.conversation_id, i."occurredAt" desc, i.ord desc
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
      -- By primary key, in its order (see the top of this file).
      where c.id = any(array(select l.id from latest l)) and c.id = l.id
    )
    select wamid, null::int as "lostPair" from inserted
    union all
    select null, p.pair from pair p
    where p.existing is null and p."newId" not in (select id from opened)
      and exists (select 1 from opening o where o.pair = p.pair)
  `);
  return {
    stored: rows.flatMap((row) => (row.wamid === null ? [] : [row.wamid])),
    lostPairs: new Set(rows.flatMap((row) => (row.lostPair === null ? [] : [row.lostPair]))),
  };
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
    -- By key, in its order (see the top of this file).
    where m.wamid = any(array(select b.wamid from best b)) and m.wamid = best.wamid and m.direction = 'outbound'
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
