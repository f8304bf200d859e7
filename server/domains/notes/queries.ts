import { sql } from 'slonik';
import { z } from 'zod';
import { noteSchema } from './schemas.ts';

const noteColumns = sql.fragment`
  n.id, n.conversation_id as "conversationId", n.body,
  (select json_build_object('id', a.user_id, 'name', a.display_name) from members a where a.user_id = n.author_user_id) as author,
  coalesce((select json_agg(json_build_object('id', m.user_id, 'name', m.display_name) order by m.display_name)
            from members m where m.user_id = any(n.mentioned_user_ids)), '[]') as mentions,
  n.created_at as "createdAt", n.edited_at as "editedAt"`;

/** A conversation's notes, oldest first (the latest 500). */
export const notesOf = (conversationId: string) => sql.type(noteSchema)`
  with members as (select user_id, display_name from app_public.tenant_members())
  select * from (
    select ${noteColumns} from app_public.conversation_notes n
    where n.conversation_id = ${conversationId}
    order by n.created_at desc, n.id desc
    limit 500
  ) latest order by "createdAt", id`;

/** The latest notes on any of a contact's conversations, newest first (the contact panel). */
export const notesOfContact = (contactId: string, limit: number) => sql.type(noteSchema)`
  with members as (select user_id, display_name from app_public.tenant_members())
  select ${noteColumns} from app_public.conversation_notes n
  where n.conversation_id in (select c.id from app_public.conversations c where c.contact_id = ${contactId})
  order by n.created_at desc, n.id desc
  limit ${limit}`;

export const noteById = (id: string) => sql.type(noteSchema)`
  with members as (select user_id, display_name from app_public.tenant_members())
  select ${noteColumns} from app_public.conversation_notes n where n.id = ${id}`;

/** Writes a note; its trigger records the activity, notifies the mentioned and announces both. */
export const insertNote = (input: {
  conversationId: string;
  authorUserId: string | null;
  body: string;
  mentionedUserIds: readonly string[];
}) => sql.type(z.object({ id: z.string() }))`
  insert into app_public.conversation_notes (tenant_id, conversation_id, author_user_id, body, mentioned_user_ids)
  values (app_public.current_tenant_id(), ${input.conversationId}, ${input.authorUserId}::uuid, ${input.body},
          ${sql.array(input.mentionedUserIds, 'uuid')})
  returning id`;

/** Of `userIds`, those who may be mentioned: members who answer conversations (agent and up). */
export const mentionableAmong = (userIds: readonly string[]) => sql.type(z.object({ userId: z.string() }))`
  select user_id as "userId" from app_public.memberships
  where user_id = any(${sql.array(userIds, 'uuid')}) and role in ('owner', 'admin', 'agent')`;

export const conversationExists = (conversationId: string) =>
  sql.unsafe`select 1 from app_public.conversations where id = ${conversationId}`;

/** Who wrote a note (null: a former member), to check who may change it. */
export const noteAuthor = (id: string) => sql.type(z.object({ authorUserId: z.string().nullable() }))`
  select author_user_id as "authorUserId" from app_public.conversation_notes where id = ${id} for update`;

/** Rewrites a note's text and mentions; its trigger notifies the newly mentioned and announces the edit. */
export const updateNote = (id: string, body: string, mentionedUserIds: readonly string[]) => sql.unsafe`
  update app_public.conversation_notes
  set body = ${body}, mentioned_user_ids = ${sql.array(mentionedUserIds, 'uuid')}, edited_at = now()
  where id = ${id}`;

/** Deletes a note (its activity entry and notifications go with it); its trigger announces it. */
export const deleteNote = (id: string) =>
  sql.unsafe`delete from app_public.conversation_notes where id = ${id}`;
