import { sql } from 'slonik';
import { z } from 'zod';

export const conversationStatus = z.enum(['open', 'pending', 'resolved']);

/** A conversation as the inbox lists it: the rows of conversationPage, and conversation.list's output. */
export const conversationSchema = z.object({
  id: z.string(),
  status: conversationStatus,
  lastMessageAt: z.string(),
  lastMessagePreview: z.string().nullable(),
  unreadCount: z.number(),
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
 * One page of the inbox, most recent first, optionally one status tab. Keyset paging on
 * (last_message_at, id), served by conversations_inbox_idx / conversations_status_inbox_idx. `cursor`
 * is the last conversation of the previous page; its position is read when the page is asked for, so
 * a conversation that moved to the top meanwhile may show again (the client keeps one per id).
 * Conversations without any message have nothing to show and are left out.
 */
export function conversationPage(input: {
  status?: z.infer<typeof conversationStatus> | undefined;
  cursor?: string | undefined;
  limit: number;
}) {
  const conditions = [sql.fragment`c.last_message_at is not null`];
  if (input.status) conditions.push(sql.fragment`c.status = ${input.status}`);
  if (input.cursor) {
    conditions.push(sql.fragment`(c.last_message_at, c.id) < (
      select p.last_message_at, p.id from app_public.conversations p where p.id = ${input.cursor})`);
  }
  return sql.type(conversationSchema)`
    select c.id, c.status, c.last_message_at as "lastMessageAt", c.last_message_preview as "lastMessagePreview",
           c.unread_count as "unreadCount",
           case when c.last_inbound_at > now() - interval '24 hours' then c.last_inbound_at + interval '24 hours' end as "windowClosesAt",
           p.phone_number_id as "phoneNumberId",
           json_build_object('id', k.id, 'waId', k.wa_id, 'bsuid', k.bsuid, 'name', k.profile_name) as contact
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
