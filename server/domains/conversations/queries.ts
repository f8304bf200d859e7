import { sql } from 'slonik';
import { z } from 'zod';

export const conversationStatus = z.enum(['open', 'pending', 'resolved', 'snoozed']);

/** Whose conversations a list shows: the caller's, nobody's, or everyone's. */
export const assigneeFilter = z.enum(['me', 'unassigned', 'anyone']);

/** A conversation as the inbox lists it: the rows of conversationPage, and conversation.list's output. */
export const conversationSchema = z.object({
  id: z.string(),
  status: conversationStatus,
  lastMessageAt: z.string(),
  lastMessagePreview: z.string().nullable(),
  unreadCount: z.number(),
  /** Until when it is snoozed (status 'snoozed'); null otherwise. */
  snoozedUntil: z.string().nullable(),
  assignedUserId: z.string().nullable(),
  assignedTeamId: z.string().nullable(),
  /** Moves with every status or assignment change: pass it back as `version` to change either. */
  version: z.number(),
  /** When the 24-hour customer-service window closes; null when it is closed. */
  windowClosesAt: z.string().nullable(),
  phoneNumberId: z.string(),
  contact: z.object({
    id: z.string(),
    waId: z.string().nullable(),
    bsuid: z.string().nullable(),
    name: z.string().nullable(),
  }),
});

const conversationColumns = sql.fragment`
  c.id, c.status, c.last_message_at as "lastMessageAt", c.last_message_preview as "lastMessagePreview",
  c.unread_count as "unreadCount", c.snoozed_until as "snoozedUntil", c.assigned_user_id as "assignedUserId",
  c.assigned_team_id as "assignedTeamId", c.workflow_version as version`;

/**
 * One page of the inbox, most recent first, optionally one status tab. Keyset paging on
 * (last_message_at, id), served by conversations_inbox_idx / conversations_status_inbox_idx. `cursor`
 * is the last conversation of the previous page; its position is read when the page is asked for, so
 * a conversation that moved to the top meanwhile may show again (the client keeps one per id).
 * Conversations without any message have nothing to show and are left out.
 */
export function conversationPage(input: {
  status?: z.infer<typeof conversationStatus> | undefined;
  assignee?: z.infer<typeof assigneeFilter> | undefined;
  /** The caller, for assignee 'me' (an API key has nobody: 'me' finds nothing). */
  userId?: string | null | undefined;
  cursor?: string | undefined;
  limit: number;
}) {
  const conditions = [sql.fragment`c.last_message_at is not null`];
  if (input.status) conditions.push(sql.fragment`c.status = ${input.status}`);
  if (input.assignee === 'unassigned') {
    conditions.push(sql.fragment`c.assigned_user_id is null and c.assigned_team_id is null`);
  }
  if (input.assignee === 'me') {
    conditions.push(input.userId ? sql.fragment`c.assigned_user_id = ${input.userId}` : sql.fragment`false`);
  }
  if (input.cursor) {
    conditions.push(sql.fragment`(c.last_message_at, c.id) < (
      select p.last_message_at, p.id from app_public.conversations p where p.id = ${input.cursor})`);
  }
  return sql.type(conversationSchema)`
    select ${conversationColumns},
           case when c.last_inbound_at > now() - interval '24 hours' then c.last_inbound_at + interval '24 hours' end as "windowClosesAt",
           p.phone_number_id as "phoneNumberId",
           json_build_object('id', k.id, 'waId', k.wa_id, 'bsuid', k.bsuid, 'name', coalesce(k.name, k.profile_name)) as contact
    from app_public.conversations c
    join app_public.contacts k on k.id = c.contact_id
    join app_public.phone_numbers p on p.id = c.phone_number_id
    where ${sql.join(conditions, sql.fragment` and `)}
    order by c.last_message_at desc nulls last, c.id desc
    limit ${input.limit}
  `;
}

/** Clears a conversation's unread count; no row changes when it had none (or is not the tenant's). */
export const clearUnread = (conversationId: string) =>
  sql.unsafe`update app_public.conversations set unread_count = 0 where id = ${conversationId} and unread_count > 0`;

export const conversationExists = (conversationId: string) =>
  sql.unsafe`select 1 from app_public.conversations where id = ${conversationId}`;

/** A conversation's workflow state: what status and assignment changes act on and return. */
export const workflowSchema = z.object({
  id: z.string(),
  status: conversationStatus,
  snoozedUntil: z.string().nullable(),
  assignedUserId: z.string().nullable(),
  assignedTeamId: z.string().nullable(),
  version: z.number(),
});
export type Workflow = z.infer<typeof workflowSchema>;

const workflowColumns = sql.fragment`
  c.id, c.status, c.snoozed_until as "snoozedUntil", c.assigned_user_id as "assignedUserId",
  c.assigned_team_id as "assignedTeamId", c.workflow_version as version`;

export const workflowOf = (conversationId: string) =>
  sql.type(
    workflowSchema,
  )`select ${workflowColumns} from app_public.conversations c where c.id = ${conversationId}`;

/**
 * Changes status and snooze when the conversation is still at `version` (what the caller saw); no row
 * when someone changed it meanwhile, or it is not the tenant's.
 */
export const setStatusIfAt = (
  conversationId: string,
  version: number,
  status: z.infer<typeof conversationStatus>,
  snoozedUntil: string | null,
) => sql.type(workflowSchema)`
  update app_public.conversations c set status = ${status}, snoozed_until = ${snoozedUntil}::timestamptz
  where c.id = ${conversationId} and c.workflow_version = ${version}
  returning ${workflowColumns}`;

/** Assigns (or unassigns, with nulls) when the conversation is still at `version`. */
export const assignIfAt = (
  conversationId: string,
  version: number,
  userId: string | null,
  teamId: string | null,
) => sql.type(workflowSchema)`
  update app_public.conversations c set assigned_user_id = ${userId}::uuid, assigned_team_id = ${teamId}::uuid
  where c.id = ${conversationId} and c.workflow_version = ${version}
  returning ${workflowColumns}`;

export const isMember = (userId: string) =>
  sql.unsafe`select 1 from app_public.memberships where user_id = ${userId}`;

export const teamExists = (teamId: string) => sql.unsafe`select 1 from app_public.teams where id = ${teamId}`;

/** Announces a workflow change on the realtime bus (ids only). */
export const announce = (kind: 'conversation.status' | 'conversation.assigned', conversationId: string) =>
  sql.unsafe`select app_public.record_realtime_event(${kind}, array[${conversationId}::uuid], array[${conversationId}::uuid])`;

export const activitySchema = z.object({
  id: z.string(),
  /** auto_assigned: by round robin; note: an internal note was written (noteId). */
  action: z.enum(['status', 'assigned', 'auto_assigned', 'note']),
  actorUserId: z.string().nullable(),
  status: conversationStatus.nullable(),
  snoozedUntil: z.string().nullable(),
  assignedUserId: z.string().nullable(),
  assignedTeamId: z.string().nullable(),
  noteId: z.string().nullable(),
  createdAt: z.string(),
});

/** A conversation's workflow timeline, oldest first (the latest 200). */
export const activitiesOf = (conversationId: string) => sql.type(activitySchema)`
  select * from (
    select a.id, a.action, a.actor_user_id as "actorUserId", a.status, a.snoozed_until as "snoozedUntil",
           a.assigned_user_id as "assignedUserId", a.assigned_team_id as "assignedTeamId", a.note_id as "noteId",
           a.created_at as "createdAt"
    from app_public.conversation_activities a
    where a.conversation_id = ${conversationId}
    order by a.created_at desc, a.id desc
    limit 200
  ) latest order by "createdAt", id`;
