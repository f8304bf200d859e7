import sharp from 'sharp';

/** Thumbnails are WebP, at most this many pixels on their longer side. */
export const thumbnailSize = 320;

/**
 * A small WebP preview of an image or sticker (the thread shows it instead of the full file), made once
 * when the bytes are stored. Null when the bytes are not an image sharp can read: the thread then shows
 * the full file's placeholder, and nothing fails over a preview.
 */
export async function makeThumbnail(bytes: Uint8Array): Promise<Buffer | null> {
  try {
    return await sharp(bytes, { limitInputPixels: 50_000_000 })
      .rotate()
      .resize({ width: thumbnailSize, height: thumbnailSize, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 72 })
      .toBuffer();
  } catch {
    return null;
  }
}

export const hasThumbnail = (kind: string) => kind === 'image' || kind === 'sticker';
