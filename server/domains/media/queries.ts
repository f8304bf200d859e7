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
});

/** Stores an agent's upload (row and chunks are written by the caller's transaction). */
export function insertUpload(
  tx: Tx,
  upload: {
    kind: MediaKind;
    mimeType: string;
    filename: string | null;
    byteSize: number;
    sha256: Buffer;
    voice: boolean;
    thumbnail: Buffer | null;
  },
) {
  return tx.one(sql.type(storedUploadRow)`
    insert into app_public.media (tenant_id, direction, kind, mime_type, filename, byte_size, sha256, status, stored_at, voice, thumbnail)
    values (app_public.current_tenant_id(), 'outbound', ${upload.kind}, ${upload.mimeType}, ${upload.filename}, ${upload.byteSize},
            ${sql.binary(upload.sha256)}, 'stored', now(), ${upload.voice}, ${upload.thumbnail ? sql.binary(upload.thumbnail) : null})
    returning id, kind, mime_type as "mimeType", filename, byte_size as "byteSize", voice
  `);
}
