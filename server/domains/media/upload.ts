import type { FastifyRequest } from 'fastify';
import type { AppServices } from '../../app-services.ts';
import { withTenant } from '../../db/tx.ts';
import {
  baseMimeType,
  checkMediaUpload,
  isAnimatedWebp,
  mediaCategoryOf,
  mediaLimits,
  staticStickerMaxBytes,
} from '../../whatsapp/media-limits.ts';
import { sanitizeFilename } from './disposition.ts';
import { isStorageFull, mediaStorage, storageFullReason } from './fetch-job.ts';
import { insertUpload } from './queries.ts';
import { sha256, writeChunks } from './storage.ts';
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

/**
 * Stores an agent's file (multipart field `file`; `?voice=1` for a voice note) for a later send: its
 * type must be one WhatsApp accepts, and the stream is cut off as soon as it passes the type's limit
 * (image 5 MB, video and audio 16 MB, document 100 MB, sticker 100 KB static / 500 KB animated), so
 * an oversize file is refused before it is all read. The bytes, a thumbnail for images and the row are
 * written in one transaction; the workspace's storage cap applies (PY060).
 */
export async function storeUpload(
  services: AppServices,
  who: { tenantId: string; userId: string | null },
  request: FastifyRequest,
) {
  const part = await request.file();
  if (!part || part.fieldname !== 'file')
    throw new UploadRefused(400, 'Bad Request', 'The upload has no file (multipart field "file").');
  const mimeType = part.mimetype || 'application/octet-stream';
  const kind = mediaCategoryOf(mimeType);
  if (!kind) {
    part.file.resume();
    throw new UploadRefused(
      415,
      'Unsupported Media Type',
      `WhatsApp does not accept ${baseMimeType(mimeType) || 'this type of file'}: send JPEG or PNG images, MP4 or 3GP videos, AAC, AMR, MP3, M4A or OGG audio, WebP stickers, or PDF, Word, Excel, PowerPoint or text documents.`,
    );
  }
  const maxBytes = mediaLimits[kind].maxBytes;
  const parts: Buffer[] = [];
  let size = 0;
  for await (const piece of part.file as AsyncIterable<Buffer>) {
    size += piece.length;
    if (size > maxBytes) {
      part.file.resume();
      throw new UploadRefused(
        413,
        'Payload Too Large',
        `This ${kind} is larger than WhatsApp's ${megabytes(maxBytes)} limit.`,
      );
    }
    parts.push(piece);
  }
  const bytes = Buffer.concat(parts);
  if (bytes.length === 0) throw new UploadRefused(400, 'Bad Request', 'The file is empty.');
  if (kind === 'sticker' && !isAnimatedWebp(bytes) && bytes.length > staticStickerMaxBytes)
    throw new UploadRefused(
      413,
      'Payload Too Large',
      `A static sticker may be at most ${megabytes(staticStickerMaxBytes)}.`,
    );
  const check = checkMediaUpload(mimeType, bytes);
  if (!check.ok) throw new UploadRefused(413, 'Payload Too Large', check.message);
  const voice = (request.query as { voice?: string }).voice === '1' && kind === 'audio';
  const thumbnail = hasThumbnail(kind) ? await makeThumbnail(bytes) : null;
  try {
    return await withTenant(
      services.pools.app,
      who.tenantId,
      async (tx) => {
        const stored = await insertUpload(tx, {
          kind,
          mimeType: mimeType.slice(0, 255),
          filename: sanitizeFilename(part.filename),
          byteSize: bytes.length,
          sha256: sha256(bytes),
          voice,
          thumbnail,
        });
        await writeChunks(tx, stored.id, bytes);
        return stored;
      },
      { userId: who.userId },
    );
  } catch (error) {
    if (!isStorageFull(error)) throw error;
    const { capBytes } = await withTenant(services.pools.app, who.tenantId, mediaStorage);
    throw new UploadRefused(403, 'Forbidden', `Cannot store the file: ${storageFullReason(capBytes)}.`);
  }
}
