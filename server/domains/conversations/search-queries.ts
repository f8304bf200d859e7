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

/** Contacts a search looks at: when more match, the conversations shown are among these ones'. */
const contactLimit = 200;

/** Matches the index pass reads at most (it runs for words rarer than 1 in ~500 messages). */
const indexPassLimit = 5_000;

/** How many of the newest messages the first search pass reads (see searchInbox). */
export const recentWindow = 10_000;

/**
 * The newest messages containing the words, with their conversations, newest first (message ids are
 * uuid v7, time-ordered). Two plans, chosen by the caller rather than by the planner's guess of how
 * common a prefix is: `recent` reads only the newest `recentWindow` messages of the workspace
 * (messages_pkey (tenant_id, id) backwards, testing each stored tsvector) — enough for any word in
 * more than about 1 message in 500; `all` reads the words' GIN posting lists (messages_search_idx),
 * the plan for rarer words (through app_public.search_message_ids: sql/functions/92-inbox-search.sql
 * says why a SECURITY DEFINER function), then keeps the newest.
 */
export const messageHits = (tsquery: string, userId: string | null, plan: 'recent' | 'all') => {
  const source =
    plan === 'recent'
      ? sql.fragment`(select m.id, m.conversation_id, m.body, m.occurred_at, m.search_vector
                      from app_public.messages m order by m.id desc limit ${recentWindow})`
      : sql.fragment`(select m.id, m.conversation_id, m.body, m.occurred_at, m.search_vector
                      from app_public.search_message_ids(to_tsquery('simple', ${tsquery}), ${indexPassLimit}) f
                      join app_public.messages m on m.id = f.id)`;
  return sql.type(messageHit)`
    select ${listedColumns(userId)}, m.id as "messageId", m.occurred_at as "messageAt",
           case when length(m.body) <= 160 then m.body
                else ts_headline('simple', m.body, q.q, 'MaxFragments=1, MaxWords=20, MinWords=8, StartSel="", StopSel=""')
           end as snippet
    from (select to_tsquery('simple', ${tsquery}) as q) q
    join ${source} m on m.search_vector @@ q.q
    join app_public.conversations c on c.id = m.conversation_id
    ${listedJoins}
    order by m.id desc
    limit ${searchLimit}`;
};

/**
 * Conversations of contacts whose name contains the text, or whose number contains the digits
 * (trigram indexes: three characters or more), most recent first.
 */
export function contactHits(text: string, digits: string | null, userId: string | null) {
  const name = text.trim().length >= 3 ? `%${likeEscaped(text.trim())}%` : null;
  const number = digits ? `%${digits}%` : null;
  if (!name && !number) return null;
  // The matching contacts first (trigram indexes, through a SECURITY DEFINER function: see
  // sql/functions/92-inbox-search.sql), then their conversations, read under row-level security.
  return sql.type(listedConversation)`
    with matched as materialized (
      select f.id from app_public.search_contact_ids(${name}, ${number}, ${contactLimit}) f
    )
    select ${listedColumns(userId)}
    from matched x
    join app_public.conversations c on c.contact_id = x.id
    ${listedJoins}
    where c.last_message_at is not null
    order by c.last_message_at desc nulls last, c.id desc
    limit ${searchLimit}`;
}
