import { sql } from 'slonik';
import { z } from 'zod';

export const reactionSchema = z.object({
  emoji: z.string(),
  contactId: z.string(),
  reactedAt: z.string(),
});

/**
 * The business's own reaction on a message: the latest reaction an agent sent to it (emoji null once
 * removed), with its send status, so a pending or failed one shows as such.
 */
export const ownReactionSchema = z.object({
  messageId: z.string(),
  emoji: z.string().nullable(),
  status: z.string(),
  error: z.unknown(),
});

/** The media file of a media message (issue 19): its bytes are at /media/:id (thumbnail: /media/:id/thumbnail). */
export const messageMediaSchema = z.object({
  id: z.string(),
  kind: z.enum(['image', 'video', 'audio', 'document', 'sticker']),
  /** pending: still downloading from Meta; unavailable: `unavailableReason` says why. */
  status: z.enum(['pending', 'stored', 'unavailable']),
  unavailableReason: z.string().nullable(),
  mimeType: z.string(),
  filename: z.string().nullable(),
  byteSize: z.number().nullable(),
  voice: z.boolean(),
  /** How long audio or video plays, read from the file when stored; null when unknown. */
  durationMs: z.number().nullable(),
  hasThumbnail: z.boolean(),
});

/** A message as a conversation shows it: the rows of messagePage, and message.list's output. */
export const messageSchema = z.object({
  id: z.string(),
  wamid: z.string().nullable(),
  direction: z.enum(['inbound', 'outbound']),
  type: z.string(),
  body: z.string().nullable(),
  content: z.unknown(),
  /** pending (queued or retrying: `error` then says why) → sent → delivered → read; or failed with Meta's error. */
  status: z.string(),
  error: z.unknown(),
  quotedWamid: z.string().nullable(),
  /** What the customer saw of a template message (header, body, footer, buttons); null for other types. */
  rendered: z.unknown(),
  occurredAt: z.string(),
  /** The customer's current reaction(s), oldest first. */
  reactions: z.array(reactionSchema),
  /** The business's reaction on it (agents' reactions are not listed as messages of their own). */
  ownReaction: ownReactionSchema.nullable(),
  /** Meta's pricing category of an outbound message (service, utility, marketing, authentication…), once a status says it. */
  pricingCategory: z.string().nullable(),
  /** Image, video, audio, document and sticker messages: their file; null for the other types. */
  media: messageMediaSchema.nullable(),
});

/**
 * One page of a conversation, newest first, with each message's current reactions (removals are
 * tombstones with a null emoji) and the business's own (the latest reaction message an agent sent to
 * it, by messages_own_reaction_idx; those messages are shown on their target, not listed). Keyset paging: `cursor` is the last message of the previous page;
 * (occurred_at, id) never changes, so pages neither skip nor repeat, and the row comparison is an
 * index condition on messages_conversation_idx (no sort, no offset).
 */
export function messagePage(input: { conversationId: string; cursor?: string | undefined; limit: number }) {
  const after = input.cursor
    ? sql.fragment`and (m.occurred_at, m.id) < (
        select c.occurred_at, c.id from app_public.messages c where c.id = ${input.cursor})`
    : sql.fragment``;
  return sql.type(messageSchema)`
    select m.id, m.wamid, m.direction, m.type, m.body, m.content, m.status, m.error,
           m.context_wamid as "quotedWamid", m.rendered, m.occurred_at as "occurredAt",
           coalesce((
             select jsonb_agg(jsonb_build_object('emoji', r.emoji, 'contactId', r.contact_id, 'reactedAt', app_public.iso_time(r.reacted_at))
                              order by r.reacted_at)
             from app_public.message_reactions r
             where r.message_wamid = m.wamid and r.emoji is not null
           ), '[]'::jsonb) as reactions,
           (select jsonb_build_object('messageId', a.id, 'emoji', nullif(a.content->'reaction'->>'emoji', ''),
                                      'status', a.status, 'error', a.error)
            from app_public.messages a
            where a.tenant_id = m.tenant_id and a.content->'reaction'->>'message_id' = m.wamid
              and a.direction = 'outbound' and a.type = 'reaction'
            order by a.occurred_at desc, a.id desc limit 1) as "ownReaction",
           (select s.pricing->>'category' from app_public.message_statuses s
            where s.wamid = m.wamid and s.pricing ? 'category' order by s.occurred_at desc limit 1) as "pricingCategory",
           (select jsonb_build_object('id', d.id, 'kind', d.kind, 'status', d.status, 'unavailableReason', d.unavailable_reason,
                     'mimeType', d.mime_type, 'filename', d.filename, 'byteSize', d.byte_size, 'voice', d.voice,
                     'durationMs', d.duration_ms,
                     'hasThumbnail', d.thumbnail is not null)
            from app_public.media d where d.message_id = m.id) as media
    from app_public.messages m
    where m.conversation_id = ${input.conversationId} ${after}
      and not (m.direction = 'outbound' and m.type = 'reaction')
    order by m.occurred_at desc, m.id desc
    limit ${input.limit}
  `;
}

/** The workspace may send (not suspended): raises Parley's error otherwise. */
export const assertTenantActive = () => sql.unsafe`select app_public.assert_tenant_active()`;

/** A conversation's customer number and whether the customer-service window is open. */
export const sendTarget = (conversationId: string, windowHours: number) => sql.type(
  z.object({ id: z.string(), waId: z.string().nullable(), windowOpen: z.boolean() }),
)`
  select c.id, k.wa_id as "waId",
         coalesce(c.last_inbound_at > now() - make_interval(hours => ${windowHours}), false) as "windowOpen"
  from app_public.conversations c join app_public.contacts k on k.id = c.contact_id
  where c.id = ${conversationId}
`;

/** The wamid of a message of this conversation (null until Meta accepted it). */
export const messageWamid = (conversationId: string, messageId: string) =>
  sql.type(z.object({ wamid: z.string().nullable() }))`
    select wamid from app_public.messages where id = ${messageId} and conversation_id = ${conversationId}
  `;

/** A new outbound message, pending: the outbox entry message.send picks up; written by the user in scope. */
export function insertPendingMessage(message: {
  tenantId: string;
  conversationId: string;
  type: string;
  /** What the thread and search show as the message's text (the preview unless the send says otherwise). */
  body: string | null;
  content: object;
  contextWamid: string | null;
  rendered: object | undefined;
}) {
  return sql.type(z.object({ id: z.string() }))`
    insert into app_public.messages
      (tenant_id, conversation_id, direction, type, body, content, context_wamid, rendered, status, occurred_at,
       sent_by_user_id)
    values (${message.tenantId}, ${message.conversationId}, 'outbound', ${message.type}, ${message.body},
            ${sql.jsonb(message.content)}, ${message.contextWamid},
            ${message.rendered ? sql.jsonb(message.rendered) : null}, 'pending', now(),
            app_public.current_user_id())
    returning id
  `;
}

/** The conversation moves to the top with the agent's message as its preview, and counts as read. */
export const conversationSent = (conversationId: string, preview: string) => sql.unsafe`
  update app_public.conversations set last_message_at = now(), last_message_preview = ${preview.slice(0, 200)}, unread_count = 0
  where id = ${conversationId}
`;

/** An outbound message that failed before Meta accepted it (the only kind that may be sent again). */
export const failedUnsentMessage = (messageId: string) =>
  sql.type(z.object({ conversationId: z.string(), type: z.string() }))`
    select conversation_id as "conversationId", type from app_public.messages
    where id = ${messageId} and direction = 'outbound' and status = 'failed' and wamid is null
  `;

export const requeueMessage = (messageId: string) => sql.unsafe`
  update app_public.messages
  set status = 'pending', error = null, send_attempted_at = null, send_attempts = 0, send_claimed_until = null
  where id = ${messageId}
`;
