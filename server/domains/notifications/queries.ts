import { sql } from 'slonik';
import { z } from 'zod';

/** A notification as the bell lists it: its recipient is always the caller. */
export const notificationSchema = z.object({
  id: z.string(),
  kind: z.enum(['mention', 'assigned', 'webhook_disabled']),
  /** Null for a notice about a webhook endpoint. */
  conversationId: z.string().nullable(),
  /** The endpoint's URL, for a webhook_disabled notice (an endpoint failed for a day and was turned off). */
  webhookEndpointUrl: z.string().nullable(),
  /** The contact's name (or number) of the conversation. */
  conversationName: z.string().nullable(),
  /** Who mentioned or assigned; null for round robin, or someone who has left. */
  actorName: z.string().nullable(),
  /** The note's text (mentions as "<@id>", named in `mentions`) for a mention. */
  noteBody: z.string().nullable(),
  mentions: z.array(z.object({ id: z.string(), name: z.string() })),
  createdAt: z.string(),
  readAt: z.string().nullable(),
});
export type Notification = z.infer<typeof notificationSchema>;

/** The caller's latest notifications, newest first (served by notifications_user_idx). */
export const notificationsOfCaller = (limit: number) => sql.type(notificationSchema)`
  with members as (select user_id, display_name from app_public.tenant_members())
  select f.id, f.kind, f.conversation_id as "conversationId",
         coalesce(k.name, k.profile_name, '+' || k.wa_id) as "conversationName",
         (select a.display_name from members a where a.user_id = f.actor_user_id) as "actorName",
         n.body as "noteBody",
         coalesce((select json_agg(json_build_object('id', m.user_id, 'name', m.display_name))
                   from members m where m.user_id = any(n.mentioned_user_ids)), '[]') as mentions,
         e.url as "webhookEndpointUrl",
         f.created_at as "createdAt", f.read_at as "readAt"
  from app_public.notifications f
  left join app_public.conversations c on c.id = f.conversation_id
  left join app_public.contacts k on k.id = c.contact_id
  left join app_public.webhook_endpoints e on e.id = f.webhook_endpoint_id
  left join app_public.conversation_notes n on n.id = f.note_id
  where f.user_id = app_public.current_user_id()
  order by f.created_at desc, f.id desc
  limit ${limit}`;

export const unreadCountOfCaller = () => sql.type(z.object({ unread: z.number() }))`
  select count(*)::int as unread from app_public.notifications
  where user_id = app_public.current_user_id() and read_at is null`;

/** Marks the caller's notifications read: the given ones, or all (ids null). */
export const markCallerRead = (ids: readonly string[] | null) => sql.unsafe`
  update app_public.notifications set read_at = now()
  where user_id = app_public.current_user_id() and read_at is null
    ${ids ? sql.fragment`and id = any(${sql.array(ids, 'uuid')})` : sql.fragment``}`;
