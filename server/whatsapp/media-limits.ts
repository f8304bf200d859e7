/**
 * Cloud API media limits (Meta "Supported media types"): checked before every upload, by Parley and by the
 * simulator, so an oversize or unsupported file fails with a clear reason instead of a vague 131053 later.
 */

export type MediaCategory = 'audio' | 'document' | 'image' | 'sticker' | 'video';

const MB = 1024 * 1024;
const KB = 1024;

export const mediaLimits: Readonly<
  Record<MediaCategory, { mimeTypes: readonly string[]; maxBytes: number }>
> = {
  audio: {
    mimeTypes: ['audio/aac', 'audio/amr', 'audio/mpeg', 'audio/mp4', 'audio/ogg'],
    maxBytes: 16 * MB,
  },
  document: {
    mimeTypes: [
      'text/plain',
      'application/pdf',
      'application/msword',
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      'application/vnd.ms-excel',
      'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'application/vnd.ms-powerpoint',
      'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    ],
    maxBytes: 100 * MB,
  },
  image: { mimeTypes: ['image/jpeg', 'image/png'], maxBytes: 5 * MB },
  // Static stickers may be 100 KB, animated ones 500 KB.
  sticker: { mimeTypes: ['image/webp'], maxBytes: 500 * KB },
  video: { mimeTypes: ['video/mp4', 'video/3gpp'], maxBytes: 16 * MB },
};

export const staticStickerMaxBytes = 100 * KB;

/** `audio/ogg; codecs=opus` → `audio/ogg`. */
export function baseMimeType(mimeType: string): string {
  return (mimeType.split(';')[0] ?? '').trim().toLowerCase();
}

export function mediaCategoryOf(mimeType: string): MediaCategory | undefined {
  const base = baseMimeType(mimeType);
  for (const [category, limit] of Object.entries(mediaLimits) as [
    MediaCategory,
    (typeof mediaLimits)[MediaCategory],
  ][]) {
    if (limit.mimeTypes.includes(base)) return category;
  }
  return undefined;
}

/** An animated WebP carries an ANIM chunk after its VP8X header. */
export function isAnimatedWebp(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096));
  return head.subarray(0, 4).toString('latin1') === 'RIFF' && head.includes('ANIM', 12, 'latin1');
}

export type MediaCheck =
  | { ok: true; category: MediaCategory }
  | { ok: false; reason: 'unsupported-type' | 'too-large'; message: string; maxBytes?: number };

export function checkMediaUpload(mimeType: string, bytes: Uint8Array): MediaCheck {
  return checkMediaUploadSize(mimeType, bytes.byteLength, bytes);
}

/** The same check from a file's size and its first bytes (enough to tell an animated sticker). */
export function checkMediaUploadSize(mimeType: string, size: number, head: Uint8Array): MediaCheck {
  const category = mediaCategoryOf(mimeType);
  if (!category) {
    return {
      ok: false,
      reason: 'unsupported-type',
      message: `Media type ${baseMimeType(mimeType) || '(none)'} is not supported by WhatsApp.`,
    };
  }
  const maxBytes =
    category === 'sticker' && !isAnimatedWebp(head) ? staticStickerMaxBytes : mediaLimits[category].maxBytes;
  if (size > maxBytes) {
    return {
      ok: false,
      reason: 'too-large',
      maxBytes,
      message: `${category} of ${size} bytes exceeds the ${formatBytes(maxBytes)} limit.`,
    };
  }
  return { ok: true, category };
}

function formatBytes(bytes: number): string {
  return bytes >= MB ? `${bytes / MB} MB` : `${bytes / KB} KB`;
}
