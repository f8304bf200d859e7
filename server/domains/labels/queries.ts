import { sql } from 'slonik';
import { z } from 'zod';
import { labelSchema } from './schemas.ts';

const labelColumns = sql.fragment`
  l.id, l.name, l.color,
  (select count(*) from app_public.conversation_labels x where x.label_id = l.id)::int as conversations`;

export const listLabels = () =>
  sql.type(labelSchema)`select ${labelColumns} from app_public.labels l order by lower(l.name), l.id`;

/**
 * The labels on any of a contact's conversations (the contact panel), each with how many of them carry
 * it. Uses the conversations' contact index and the label rows' primary key.
 */
export const labelsOfContact = (contactId: string) => sql.type(labelSchema)`
  select l.id, l.name, l.color, count(*)::int as conversations
  from app_public.conversations c
  join app_public.conversation_labels cl on cl.conversation_id = c.id
  join app_public.labels l on l.id = cl.label_id
  where c.contact_id = ${contactId}
  group by l.id, l.name, l.color
  order by lower(l.name), l.id`;

export const labelById = (id: string) =>
  sql.type(labelSchema)`select ${labelColumns} from app_public.labels l where l.id = ${id}`;

const idRow = z.object({ id: z.string() });

/** Null when the name is taken (case-insensitively). */
export const insertLabel = (name: string, color: string) => sql.type(idRow)`
  insert into app_public.labels (tenant_id, name, color) values (app_public.current_tenant_id(), ${name}, ${color})
  on conflict (tenant_id, lower(name)) do nothing
  returning id`;

export const nameTaken = (name: string, exceptId: string | null) =>
  sql.unsafe`select 1 from app_public.labels where lower(name) = lower(${name}) and id is distinct from ${exceptId}::uuid`;

export const updateLabel = (id: string, name: string, color: string) => sql.type(idRow)`
  update app_public.labels set name = ${name}, color = ${color} where id = ${id} returning id`;

export const deleteLabel = (id: string) =>
  sql.type(idRow)`delete from app_public.labels where id = ${id} returning id`;

/**
 * Puts a label on a conversation and records who did it in the activity timeline, in one statement;
 * no row when it already carried the label. Both ids are the tenant's (row-level security).
 */
export const applyLabel = (conversationId: string, labelId: string) => sql.type(idRow)`
  with added as (
    insert into app_public.conversation_labels (tenant_id, conversation_id, label_id)
    select app_public.current_tenant_id(), c.id, l.id
    from app_public.conversations c, app_public.labels l
    where c.id = ${conversationId} and l.id = ${labelId}
    on conflict do nothing
    returning conversation_id, label_id
  ), recorded as (
    insert into app_public.conversation_activities
      (tenant_id, conversation_id, actor_user_id, action, label_id, label_name, label_color)
    select app_public.current_tenant_id(), a.conversation_id, app_public.current_user_id(), 'labelled', l.id, l.name, l.color
    from added a join app_public.labels l on l.id = a.label_id
  )
  select label_id as id from added`;

/** Takes a label off a conversation, recorded like applyLabel; no row when it did not carry it. */
export const removeLabel = (conversationId: string, labelId: string) => sql.type(idRow)`
  with removed as (
    delete from app_public.conversation_labels
    where conversation_id = ${conversationId} and label_id = ${labelId}
    returning conversation_id, label_id
  ), recorded as (
    insert into app_public.conversation_activities
      (tenant_id, conversation_id, actor_user_id, action, label_id, label_name, label_color)
    select app_public.current_tenant_id(), r.conversation_id, app_public.current_user_id(), 'unlabelled', l.id, l.name, l.color
    from removed r join app_public.labels l on l.id = r.label_id
  )
  select label_id as id from removed`;

export const conversationExists = (conversationId: string) =>
  sql.unsafe`select 1 from app_public.conversations where id = ${conversationId}`;

export const labelExists = (labelId: string) =>
  sql.unsafe`select 1 from app_public.labels where id = ${labelId}`;

/** The labels a conversation carries, by name. */
export const labelIdsOf = (conversationId: string) => sql.type(z.object({ labelIds: z.array(z.string()) }))`
  select coalesce(array_agg(x.label_id order by lower(l.name)), '{}') as "labelIds"
  from app_public.conversation_labels x join app_public.labels l on l.id = x.label_id
  where x.conversation_id = ${conversationId}`;

/** Announces a change on the realtime bus (ids only): a label itself, or a conversation's labels. */
export const announceLabel = (labelId: string) =>
  sql.unsafe`select app_public.record_realtime_event('label.changed', array[${labelId}::uuid])`;

export const announceConversationLabels = (conversationId: string, labelId: string) =>
  sql.unsafe`select app_public.record_realtime_event('conversation.labels', array[${labelId}::uuid], array[${conversationId}::uuid])`;
