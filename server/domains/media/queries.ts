import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';

export const mediaKind = z.enum(['image', 'video', 'audio', 'document', 'sticker']);
export type MediaKind = z.infer<typeof mediaKind>;

const servedRow = z.object({
  id: z.string(),
  kind: mediaKind,
  status: z.enum(['pending', 'stored', 'unavailable']),
  unavailableReason: z.string().nullable(),
  mimeType: z.string(),
  filename: z.string().nullable(),
  byteSize: z.coerce.number().nullable(),
  sha256: z.instanceof(Buffer).nullable(),
  chunkSize: z.number(),
  hasThumbnail: z.boolean(),
});
export type ServedMedia = z.infer<typeof servedRow>;

/** A media file of the workspace in scope (row-level security hides every other workspace's). */
export function findMedia(tx: Tx, id: string) {
  return tx.maybeOne(sql.type(servedRow)`
    select id, kind, status, unavailable_reason as "unavailableReason", mime_type as "mimeType", filename,
           byte_size as "byteSize", sha256, chunk_size as "chunkSize", thumbnail is not null as "hasThumbnail"
    from app_public.media where id = ${id}
  `);
}

export function findThumbnail(tx: Tx, id: string) {
  return tx.maybeOne(sql.type(z.object({ thumbnail: z.instanceof(Buffer), sha256: z.instanceof(Buffer) }))`
    select thumbnail, sha256 from app_public.media where id = ${id} and thumbnail is not null and status = 'stored'
  `);
}

export const storedUploadRow = z.object({
  id: z.string(),
  kind: mediaKind,
  mimeType: z.string(),
  filename: z.string().nullable(),
  byteSize: z.coerce.number(),
  voice: z.boolean(),
  durationMs: z.number().nullable(),
});

/** An agent's upload while its bytes stream in: pending, attached to no message, counted nowhere yet. */
export function insertPendingUpload(
  tx: Tx,
  upload: { kind: MediaKind; mimeType: string; filename: string | null; voice: boolean },
) {
  return tx.oneFirst(sql.type(z.object({ id: z.string() }))`
    insert into app_public.media (tenant_id, direction, kind, mime_type, filename, status, voice)
    values (app_public.current_tenant_id(), 'outbound', ${upload.kind}, ${upload.mimeType}, ${upload.filename}, 'pending', ${upload.voice})
    returning id
  `);
}

/** The upload's bytes are all stored: it counts against the workspace's storage (PY060 past the cap). */
export function finishUpload(
  tx: Tx,
  id: string,
  done: { byteSize: number; sha256: Buffer; thumbnail: Buffer | null; durationMs: number | null },
) {
  return tx.one(sql.type(storedUploadRow)`
    update app_public.media set status = 'stored', stored_at = now(), byte_size = ${done.byteSize},
           sha256 = ${sql.binary(done.sha256)}, thumbnail = ${done.thumbnail ? sql.binary(done.thumbnail) : null},
           duration_ms = ${done.durationMs}
    where id = ${id} and status = 'pending'
    returning id, kind, mime_type as "mimeType", filename, byte_size as "byteSize", voice, duration_ms as "durationMs"
  `);
}

export const storageUsage = () => sql.type(
  z.object({
    usedBytes: z.coerce.number(),
    capBytes: z.coerce.number(),
    retentionDays: z.number().nullable(),
  }),
)`
  select used_bytes as "usedBytes", cap_bytes as "capBytes", retention_days as "retentionDays"
  from app_public.media_storage()
`;

export const setMediaRetention = (days: number | null) =>
  sql.unsafe`select app_public.set_media_retention(${days})`;

/** A condition on media (alias d), for markMediaUnavailable. */
export type MediaCondition = ReturnType<typeof sql.fragment>;

/** Stored media that came in (or was uploaded) more than `days` days ago. */
export const storedBefore = (days: number): MediaCondition =>
  sql.fragment`d.status = 'stored' and d.created_at < now() - make_interval(days => ${days})`;

/** Every file of a contact's conversations, sent or received. */
export const ofContact = (contactId: string): MediaCondition => sql.fragment`d.message_id in (
  select m.id from app_public.messages m join app_public.conversations c on c.id = m.conversation_id
  where c.contact_id = ${contactId})`;

/** Marks the media matching `where` unavailable with `reason`; returns their ids. */
export const markMediaUnavailable = (where: MediaCondition, reason: string) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.media d set status = 'unavailable', unavailable_reason = ${reason}, thumbnail = null,
           stored_at = null, meta_media_id = null
    where ${where} and d.status <> 'unavailable'
    returning d.id
  `;

export const deleteChunks = (mediaIds: readonly string[]) =>
  sql.unsafe`delete from app_public.media_chunks where media_id = any(${sql.array(mediaIds, 'uuid')})`;

/** An agent's upload still waiting to be sent, locked so it is sent once. */
export const pendingUploadRow = z.object({
  kind: mediaKind,
  filename: z.string().nullable(),
  mimeType: z.string(),
  voice: z.boolean(),
});

export const pendingUpload = (mediaId: string) =>
  sql.type(pendingUploadRow)`
    select kind, filename, mime_type as "mimeType", voice from app_public.media
    where id = ${mediaId} and direction = 'outbound' and status = 'stored' and message_id is null
    for update
  `;

export const attachMedia = (mediaId: string, messageId: string) =>
  sql.unsafe`update app_public.media set message_id = ${messageId} where id = ${mediaId}`;

/** A media message's stored file and whether its Meta media id is still fresh (under 29 days). */
export const attachedMedia = (messageId: string) =>
  sql.type(
    z.object({
      id: z.string(),
      kind: mediaKind,
      mimeType: z.string(),
      filename: z.string().nullable(),
      byteSize: z.coerce.number(),
      metaMediaId: z.string().nullable(),
      fresh: z.boolean(),
    }),
  )`
    select id, kind, mime_type as "mimeType", filename, byte_size as "byteSize", meta_media_id as "metaMediaId",
           coalesce(meta_uploaded_at > now() - interval '29 days', false) as fresh
    from app_public.media where message_id = ${messageId} and status = 'stored'
  `;

export const recordMetaUpload = (mediaId: string, metaMediaId: string) => sql.unsafe`
  update app_public.media set meta_media_id = ${metaMediaId}, meta_uploaded_at = now() where id = ${mediaId}
`;

/**
 * Agents' uploads no message will use, in every workspace (run on the owner pool by the daily media
 * job): still pending after a day (the upload's request died mid-stream, or its node crashed), or
 * stored but never sent after a week (the composer forgets an attachment when it reloads). Their
 * chunks go with them and the workspace's storage count falls.
 */
export const deleteAbandonedUploads = () => sql.type(z.object({ deleted: z.number() }))`
  with gone as (
    delete from app_public.media
    where direction = 'outbound' and message_id is null
      and ((status = 'pending' and created_at < now() - interval '1 day')
        or (status = 'stored' and created_at < now() - interval '7 days'))
    returning 1
  )
  select count(*)::int as deleted from gone
`;
