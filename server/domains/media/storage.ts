import { createHash } from 'node:crypto';
import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';

/**
 * Media bytes in PostgreSQL as bytea chunks (app_public.media_chunks): chunk `seq` holds bytes
 * [seq × chunkSize, (seq + 1) × chunkSize). Writes go a few chunks per statement; reads fetch only
 * the chunks a range needs, so seeking in a long video reads megabytes, not the whole file.
 */
export const chunkSize = 256 * 1024;

/** Chunks per insert statement (4 MB): few round trips, bounded statement size. */
const chunksPerStatement = 16;

/** Replaces the media's chunks with `bytes` (the caller's transaction stores its row's new state too). */
export async function writeChunks(tx: Tx, mediaId: string, bytes: Uint8Array): Promise<void> {
  await tx.query(sql.unsafe`delete from app_public.media_chunks where media_id = ${mediaId}`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks = [];
  for (let offset = 0; offset < buffer.length; offset += chunkSize)
    chunks.push(buffer.subarray(offset, offset + chunkSize));
  await appendChunks(tx, mediaId, 0, chunks);
}

/** Stores `chunks` (each chunkSize bytes but the last of a file) as chunks first, first + 1, …. */
export async function appendChunks(tx: Tx, mediaId: string, first: number, chunks: Uint8Array[]) {
  for (let start = 0; start < chunks.length; start += chunksPerStatement) {
    const rows = chunks
      .slice(start, start + chunksPerStatement)
      .map(
        (data, index) =>
          sql.fragment`(app_public.current_tenant_id(), ${mediaId}, ${first + start + index}, ${sql.binary(Buffer.from(data))})`,
      );
    await tx.query(sql.unsafe`
      insert into app_public.media_chunks (tenant_id, media_id, seq, data) values ${sql.join(rows, sql.fragment`, `)}
    `);
  }
}

const chunkRow = z.object({ seq: z.number(), data: z.instanceof(Buffer) });

/** Chunks first..last (inclusive) of a media file, in order. */
export async function readChunks(tx: Tx, mediaId: string, first: number, last: number) {
  return tx.any(sql.type(chunkRow)`
    select seq, data from app_public.media_chunks
    where media_id = ${mediaId} and seq between ${first} and ${last}
    order by seq
  `);
}

/**
 * Bytes [start, end] (inclusive) of a stored media file, read a few chunks per transaction so a long
 * download never holds one open. `inTenant` opens each transaction in the caller's tenant.
 */
export async function* streamBytes(
  inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  media: { id: string; chunkSize: number },
  start: number,
  end: number,
): AsyncGenerator<Buffer> {
  const size = media.chunkSize;
  const lastChunk = Math.floor(end / size);
  for (let first = Math.floor(start / size); first <= lastChunk; first += 8) {
    const rows = await inTenant((tx) => readChunks(tx, media.id, first, Math.min(first + 7, lastChunk)));
    for (const { seq, data } of rows) {
      const offset = seq * size;
      const from = Math.max(start - offset, 0);
      const to = Math.min(end - offset + 1, data.length);
      if (to > from) yield data.subarray(from, to);
    }
  }
}

/**
 * The file's chunks in order, read a few per short transaction, for streaming it to Graph without
 * holding the whole file in memory.
 */
export async function* streamChunks(
  inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  mediaId: string,
): AsyncGenerator<Buffer> {
  for (let first = 0; ; first += 8) {
    const rows = await inTenant((tx) => readChunks(tx, mediaId, first, first + 7));
    for (const row of rows) yield row.data;
    if (rows.length < 8) return;
  }
}

export const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
