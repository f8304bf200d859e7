import { sql } from 'slonik';
import { z } from 'zod';

export const conversationStatus = z.enum(['open', 'pending', 'resolved']);

export const conversationRow = z.object({
  id: z.string(),
  status: conversationStatus,
  last_message_at: z.string(),
  last_message_preview: z.string().nullable(),
  unread_count: z.number(),
  window_closes_at: z.string().nullable(),
  contact_id: z.string(),
  wa_id: z.string().nullable(),
  bsuid: z.string().nullable(),
  profile_name: z.string().nullable(),
  phone_number_id: z.string(),
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
  return sql.type(conversationRow)`
    select c.id, c.status, c.last_message_at, c.last_message_preview, c.unread_count,
           case when c.last_inbound_at > now() - interval '24 hours' then c.last_inbound_at + interval '24 hours' end as window_closes_at,
           k.id as contact_id, k.wa_id, k.bsuid, k.profile_name, p.phone_number_id
    from app_public.conversations c
    join app_public.contacts k on k.id = c.contact_id
    join app_public.phone_numbers p on p.id = c.phone_number_id
    where ${sql.join(conditions, sql.fragment` and `)}
    order by c.last_message_at desc nulls last, c.id desc
    limit ${input.limit}
  `;
}
