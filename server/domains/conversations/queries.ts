import { sql } from 'slonik';
import { z } from 'zod';
import { conversationStatus } from './status.ts';

export { conversationStatus };

/** Whose conversations a list shows: the caller's, nobody's, or everyone's. */
export const assigneeFilter = z.enum(['me', 'unassigned', 'anyone']);

/** A conversation as the inbox lists it (inbox-queries.ts adds its labels and paging cursor). */
export const conversationSchema = z.object({
  id: z.string(),
  status: conversationStatus,
  lastMessageAt: z.string(),
  lastMessagePreview: z.string().nullable(),
  /** The caller's unread customer messages (read state is per member). */
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

/**
 * Clears a conversation's customer messages since the last reply for everyone (message.markRead: the
 * team marked them read on the customer's phone); no row changes when it had none.
 */
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
  action: z.enum(['status', 'assigned', 'auto_assigned', 'note', 'labelled', 'unlabelled']),
  actorUserId: z.string().nullable(),
  status: conversationStatus.nullable(),
  snoozedUntil: z.string().nullable(),
  assignedUserId: z.string().nullable(),
  assignedTeamId: z.string().nullable(),
  noteId: z.string().nullable(),
  /** The label put on or taken off, as it was named and coloured then. */
  label: z.object({ id: z.string(), name: z.string(), color: z.string() }).nullable(),
  /** Names for the timeline, as they are now (null: the system, or someone no longer a member). */
  actorName: z.string().nullable(),
  assignedUserName: z.string().nullable(),
  assignedTeamName: z.string().nullable(),
  createdAt: z.string(),
});

/** A conversation's workflow timeline, oldest first (the latest 200). */
export const activitiesOf = (conversationId: string) => sql.type(activitySchema)`
  with members as (select user_id, display_name from app_public.tenant_members())
  select * from (
    select a.id, a.action, a.actor_user_id as "actorUserId", a.status, a.snoozed_until as "snoozedUntil",
           a.assigned_user_id as "assignedUserId", a.assigned_team_id as "assignedTeamId", a.note_id as "noteId",
           case when a.label_id is not null then json_build_object('id', a.label_id, 'name', a.label_name, 'color', a.label_color) end as label,
           (select m.display_name from members m where m.user_id = a.actor_user_id) as "actorName",
           (select m.display_name from members m where m.user_id = a.assigned_user_id) as "assignedUserName",
           (select t.name from app_public.teams t where t.id = a.assigned_team_id) as "assignedTeamName",
           a.created_at as "createdAt"
    from app_public.conversation_activities a
    where a.conversation_id = ${conversationId}
    order by a.created_at desc, a.id desc
    limit 200
  ) latest order by "createdAt", id`;
