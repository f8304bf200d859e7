import { sql } from 'slonik';
import { z } from 'zod';
import { listedColumns, listedConversation, listedJoins } from './inbox-queries.ts';

/** Hits per kind (contacts, messages) a search returns. */
export const searchLimit = 20;

/**
 * The words of a search as a tsquery for the 'simple' configuration (migration 000018 says why
 * simple): letters and digits only (nothing for to_tsquery to misread), every word required, the
 * last one also as a prefix while it is typed (three characters or more). Null when no word is left.
 */
export function messageQuery(text: string): string | null {
  const words = (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).slice(0, 8).map((w) => w.slice(0, 64));
  if (words.length === 0) return null;
  return words
    .map((word, index) => `'${word}'${index === words.length - 1 && word.length >= 3 ? ':*' : ''}`)
    .join(' & ');
}

/** The digits of a search, when it may be (part of) a phone number: three or more. */
export function phoneDigits(text: string): string | null {
  if (!/^[\d\s()+.-]+$/.test(text.trim())) return null;
  const digits = text.replace(/\D/g, '');
  return digits.length >= 3 ? digits : null;
}

const likeEscaped = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

export const messageHit = listedConversation.extend({
  messageId: z.string(),
  /** The message's text (a long one: around the words found); the client highlights the words. */
  snippet: z.string(),
  messageAt: z.string(),
});
export type MessageHit = z.infer<typeof messageHit>;

/**
 * The newest messages containing the words, with their conversations. Ordered by message id (uuid
 * v7: time-ordered), so a common word walks messages_pkey (tenant_id, id) backwards testing each
 * stored tsvector and stops at the limit, while a rare word reads its GIN posting list.
 */
export const messageHits = (tsquery: string, userId: string | null) => sql.type(messageHit)`
  select ${listedColumns}, m.id as "messageId", m.occurred_at as "messageAt",
         case when length(m.body) <= 160 then m.body
              else ts_headline('simple', m.body, q.q, 'MaxFragments=1, MaxWords=20, MinWords=8, StartSel="", StopSel=""')
         end as snippet
  from (select to_tsquery('simple', ${tsquery}) as q) q
  join app_public.messages m on m.search_vector @@ q.q
  join app_public.conversations c on c.id = m.conversation_id
  ${listedJoins(userId)}
  order by m.id desc
  limit ${searchLimit}`;

/**
 * Conversations of contacts whose name contains the text, or whose number contains the digits
 * (trigram indexes: three characters or more), most recent first.
 */
export function contactHits(text: string, digits: string | null, userId: string | null) {
  const matches = [];
  if (text.trim().length >= 3) {
    const pattern = `%${likeEscaped(text.trim())}%`;
    matches.push(sql.fragment`k.profile_name ilike ${pattern} or k.name ilike ${pattern}`);
  }
  if (digits) matches.push(sql.fragment`k.wa_id like ${`%${digits}%`}`);
  if (matches.length === 0) return null;
  return sql.type(listedConversation)`
    select ${listedColumns}
    from app_public.conversations c ${listedJoins(userId)}
    where c.contact_id in (select k.id from app_public.contacts k where ${sql.join(matches, sql.fragment` or `)})
      and c.last_message_at is not null
    order by c.last_message_at desc nulls last, c.id desc
    limit ${searchLimit}`;
}
