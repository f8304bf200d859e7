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
