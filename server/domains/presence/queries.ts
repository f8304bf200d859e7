import { sql } from 'slonik';
import { z } from 'zod';
import { memberPresenceSchema, type PresenceReport } from './schemas.ts';

/** Records a tab's presence for the member in scope; true when teammates would see a change (notified). */
export const setPresence = (report: PresenceReport, ttlSeconds: number, typingSeconds: number) =>
  sql.type(z.object({ changed: z.boolean() }))`
    select app_public.set_presence(${report.tabId}, ${report.status}, ${report.conversationId}::uuid,
      ${report.typing}, ${ttlSeconds}, ${typingSeconds}) as changed`;

/** Removes a tab of the member in scope at once (signing out, leaving the workspace's pages). */
export const leavePresence = (tabId: string) =>
  sql.type(z.object({ left: z.boolean() }))`select app_public.leave_presence(${tabId}) as left`;

/**
 * The workspace's live presence, one row per member (online when any tab is), and in how many
 * milliseconds the next row expires or stops typing: when it must be read again, notified or not.
 */
export const presenceNow = () =>
  sql.type(
    z.object({
      members: z.array(memberPresenceSchema),
      nextChangeInMs: z.number().nullable(),
    }),
  )`
    with live as (
      select * from app_public.presence p where p.expires_at > now()
    ), members as (
      select l.user_id::text as "userId",
             case when bool_or(l.status = 'online') then 'online' else 'away' end as status,
             coalesce(array_agg(distinct l.conversation_id::text) filter (where l.conversation_id is not null), '{}') as viewing,
             coalesce(array_agg(distinct l.conversation_id::text)
               filter (where l.conversation_id is not null and l.typing_until > now()), '{}') as typing
      from live l group by l.user_id
    )
    select coalesce((select json_agg(m order by m."userId") from members m), '[]') as members,
           (select ceil(extract(epoch from least(min(l.expires_at), min(l.typing_until) filter (where l.typing_until > now())) - now()) * 1000)::int
            from live l) as "nextChangeInMs"`;
