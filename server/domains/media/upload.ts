import type { FastifyRequest } from 'fastify';
import type { AppServices } from '../../app-services.ts';
import { createHash } from 'node:crypto';
import { sql } from 'slonik';
import { withTenant, type Tx } from '../../db/tx.ts';
import {
  baseMimeType,
  isAnimatedWebp,
  mediaCategoryOf,
  mediaLimits,
  staticStickerMaxBytes,
} from '../../whatsapp/media-limits.ts';
import { sanitizeFilename } from './disposition.ts';
import { isStorageFull, mediaStorage, storageFullReason } from './fetch-job.ts';
import { finishUpload, insertPendingUpload, type MediaKind } from './queries.ts';
import { appendChunks, chunkSize, sha256, writeChunks } from './storage.ts';
import { NotAVoiceNote, voiceMimeType, voiceNoteAsOgg, voiceUploadTypes } from './voice.ts';
import { hasThumbnail, makeThumbnail } from './thumbnails.ts';

/** An upload refused with a status and a message the composer shows as is. */
export class UploadRefused extends Error {
  readonly statusCode: number;
  readonly title: string;
  constructor(statusCode: number, title: string, message: string) {
    super(message);
    this.statusCode = statusCode;
    this.title = title;
  }
}

const megabytes = (bytes: number) =>
  bytes >= 1024 * 1024 ? `${Math.round((bytes / 1048576) * 10) / 10} MB` : `${Math.round(bytes / 1024)} KB`;

const unsupported = (mimeType: string) =>
  new UploadRefused(
    415,
    'Unsupported Media Type',
    `WhatsApp does not accept ${baseMimeType(mimeType) || 'this type of file'}: send JPEG or PNG images, MP4 or 3GP videos, AAC, AMR, MP3, M4A or OGG audio, WebP stickers, or PDF, Word, Excel, PowerPoint or text documents.`,
  );
const tooLarge = (kind: string, maxBytes: number) =>
  new UploadRefused(
    413,
    'Payload Too Large',
    `This ${kind} is larger than WhatsApp's ${megabytes(maxBytes)} limit.`,
  );
const staticStickerTooLarge = () =>
  new UploadRefused(
    413,
    'Payload Too Large',
    `A static sticker may be at most ${megabytes(staticStickerMaxBytes)}.`,
  );

/** Room for the multipart boundaries, part headers and the few small fields around the file. */
const multipartFraming = 64 * 1024;

/** Chunks written per transaction while a file streams in (1 MB): short transactions, few round trips. */
const chunksPerWrite = 4;

/**
 * Stores an agent's file (multipart field `file`; `?voice=1` for a recorded voice note) for a later
 * send. Its type must be one WhatsApp accepts, and its size is checked as it streams in (image 5 MB,
 * video and audio 16 MB, document 100 MB, sticker 100 KB static / 500 KB animated): an oversize file
 * is refused (413) as soon as it passes the limit, before the rest is read. The bytes go into the
 * chunk table as they arrive, a megabyte per short transaction, under a pending row that no send or
 * thread sees; the last transaction marks it stored, which counts it against the workspace's storage
 * (PY060 past the plan's cap). Only images and stickers (≤ 5 MB) are kept in memory, for their
 * thumbnail. A voice note (≤ 16 MB) is read whole: Chromium records WebM, which is remuxed to the
 * Ogg Opus WhatsApp shows as a voice message (voice.ts).
 */
export async function storeUpload(
  services: AppServices,
  who: { tenantId: string; userId: string | null },
  request: FastifyRequest,
) {
  const part = await request.file();
  if (!part || part.fieldname !== 'file')
    throw new UploadRefused(400, 'Bad Request', 'The upload has no file (multipart field "file").');
  const declared = part.mimetype || 'application/octet-stream';
  const voice = (request.query as { voice?: string }).voice === '1';
  const voiceType = voice && (voiceUploadTypes as readonly string[]).includes(baseMimeType(declared));
  const kind = voiceType ? 'audio' : mediaCategoryOf(declared);
  if (!kind) {
    part.file.resume();
    throw unsupported(declared);
  }
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) =>
    withTenant(services.pools.app, who.tenantId, fn, { userId: who.userId });
  const maxBytes = mediaLimits[kind].maxBytes;
  // Before a byte of the file is read: a request whose declared length is past the limit (plus the
  // multipart framing) is refused at once; the stream is still measured, as lengths can lie.
  const declaredLength = Number(request.headers['content-length']);
  if (Number.isFinite(declaredLength) && declaredLength > maxBytes + multipartFraming) {
    part.file.resume();
    throw tooLarge(voice && kind === 'audio' ? 'voice message' : kind, maxBytes);
  }
  const filename = sanitizeFilename(part.filename);
  try {
    if (voice && kind === 'audio') return await storeVoiceNote(inTenant, part.file, filename);
    return await storeStreamed(inTenant, part.file, {
      kind,
      mimeType: declared.slice(0, 255),
      filename,
      maxBytes,
    });
  } catch (error) {
    part.file.resume();
    if (!isStorageFull(error)) throw error;
    const { capBytes } = await inTenant(mediaStorage);
    throw new UploadRefused(403, 'Forbidden', `Cannot store the file: ${storageFullReason(capBytes)}.`);
  }
}

type InTenant = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

async function storeStreamed(
  inTenant: InTenant,
  file: AsyncIterable<Buffer>,
  upload: { kind: MediaKind; mimeType: string; filename: string | null; maxBytes: number },
) {
  const { kind, maxBytes } = upload;
  const id = await inTenant((tx) => insertPendingUpload(tx, { ...upload, voice: false }));
  try {
    const hash = createHash('sha256');
    const keep: Buffer[] | null = hasThumbnail(kind) ? [] : null;
    let size = 0;
    let head: Buffer | null = null;
    let current: Buffer[] = [];
    let currentSize = 0;
    let ready: Buffer[] = [];
    let written = 0;
    const write = async () => {
      const chunks = ready;
      ready = [];
      await inTenant((tx) => appendChunks(tx, id, written, chunks));
      written += chunks.length;
    };
    for await (const piece of file) {
      size += piece.length;
      if (size > maxBytes) throw tooLarge(kind, maxBytes);
      if (!head) head = piece;
      if (kind === 'sticker' && size > staticStickerMaxBytes && !isAnimatedWebp(head))
        throw staticStickerTooLarge();
      hash.update(piece);
      keep?.push(piece);
      for (let offset = 0; offset < piece.length;) {
        const take = Math.min(chunkSize - currentSize, piece.length - offset);
        current.push(piece.subarray(offset, offset + take));
        currentSize += take;
        offset += take;
        if (currentSize === chunkSize) {
          ready.push(Buffer.concat(current));
          current = [];
          currentSize = 0;
        }
      }
      if (ready.length >= chunksPerWrite) await write();
    }
    if (size === 0) throw new UploadRefused(400, 'Bad Request', 'The file is empty.');
    if (currentSize > 0) ready.push(Buffer.concat(current));
    if (ready.length > 0) await write();
    const thumbnail = keep ? await makeThumbnail(Buffer.concat(keep)) : null;
    return await inTenant((tx) =>
      finishUpload(tx, id, { byteSize: size, sha256: hash.digest(), thumbnail, durationMs: null }),
    );
  } catch (error) {
    // Refused or interrupted: the partial file goes (its chunks with it, on delete cascade).
    await inTenant((tx) => tx.query(sql.unsafe`delete from app_public.media where id = ${id}`)).catch(
      () => undefined,
    );
    throw error;
  }
}

async function storeVoiceNote(inTenant: InTenant, file: AsyncIterable<Buffer>, filename: string | null) {
  const maxBytes = mediaLimits.audio.maxBytes;
  const pieces: Buffer[] = [];
  let size = 0;
  for await (const piece of file) {
    size += piece.length;
    if (size > maxBytes) throw tooLarge('voice message', maxBytes);
    pieces.push(piece);
  }
  if (size === 0) throw new UploadRefused(400, 'Bad Request', 'The recording is empty.');
  let voice;
  try {
    voice = await voiceNoteAsOgg(Buffer.concat(pieces));
  } catch (error) {
    if (error instanceof NotAVoiceNote) throw new UploadRefused(415, 'Unsupported Media Type', error.message);
    throw error;
  }
  if (voice.bytes.length > maxBytes) throw tooLarge('voice message', maxBytes);
  const name = (filename ?? 'voice').replace(/\.(webm|ogg|opus)$/i, '') + '.ogg';
  return inTenant(async (tx) => {
    const id = await insertPendingUpload(tx, {
      kind: 'audio',
      mimeType: voiceMimeType,
      filename: name,
      voice: true,
    });
    await writeChunks(tx, id, voice.bytes);
    return finishUpload(tx, id, {
      byteSize: voice.bytes.length,
      sha256: sha256(voice.bytes),
      thumbnail: null,
      durationMs: voice.durationMs,
    });
  });
}
