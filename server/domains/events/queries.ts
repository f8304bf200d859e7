import { sql } from 'slonik';
import { z } from 'zod';

/** A row of app_public.realtime_events_since: an event, or (id null) only the snapshot's horizon. */
export const eventRow = z.object({
  id: z.number().nullable(),
  kind: z.string().nullable(),
  entityIds: z.array(z.string()).nullable(),
  conversationIds: z.array(z.string()).nullable(),
  runningFrom: z.string(),
  resync: z.boolean(),
});

/** The tenant's events after a cursor (sql/functions/90-realtime.sql explains the two halves). */
export const eventsSince = (after: number, runningFrom: string, limit: number) => sql.type(eventRow)`
  select id, kind, entity_ids as "entityIds", conversation_ids as "conversationIds",
         running_from::text as "runningFrom", resync
  from app_public.realtime_events_since(${after}, ${runningFrom}::xid8, ${limit})
`;

/** Where a reader starts: the newest event id and the oldest running transaction. */
export const currentPosition = () => sql.type(z.object({ lastId: z.number(), runningFrom: z.string() }))`
  select last_id as "lastId", running_from::text as "runningFrom" from app_public.realtime_position()
`;

/**
 * What the inbox shows of the conversations an event names, loaded under the tenant's row-level
 * security: enough to move a conversation in the list and count unread messages without a refetch.
 */
export const conversationTouchSchema = z.object({
  id: z.string(),
  status: z.string(),
  lastMessageAt: z.string().nullable(),
  unreadCount: z.number(),
  assignedUserId: z.string().nullable(),
  assignedTeamId: z.string().nullable(),
  snoozedUntil: z.string().nullable(),
  /** The workflow version (status, snooze, assignment) the row is at. */
  version: z.number(),
});
export type ConversationTouch = z.infer<typeof conversationTouchSchema>;

export const conversationTouches = (ids: readonly string[]) => sql.type(conversationTouchSchema)`
  select c.id, c.status, c.last_message_at as "lastMessageAt", c.unread_count as "unreadCount",
         c.assigned_user_id as "assignedUserId", c.assigned_team_id as "assignedTeamId",
         c.snoozed_until as "snoozedUntil", c.workflow_version as version
  from app_public.conversations c
  where c.id = any(${sql.array(ids, 'uuid')})
`;

/** The role a session's user still has in the tenant in scope; null when signed out or removed. */
export const subscriberRole = (sessionId: string) =>
  sql.type(z.object({ role: z.string().nullable() }))`
    select app_public.realtime_subscriber_role(${sessionId}) as role`;

/** Whether an API key is still valid (not revoked) in the tenant in scope. */
export const apiKeyLive = (apiKeyId: string) =>
  sql.type(z.object({ live: z.boolean() }))`
    select exists (select 1 from app_public.api_keys k where k.id = ${apiKeyId} and k.revoked_at is null) as live`;
