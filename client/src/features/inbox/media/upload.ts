import { mediaCategoryOf, mediaLimits } from '../../../../../server/whatsapp/media-limits.ts';
import { formatBytes } from './format.ts';

export interface UploadedMedia {
  id: string;
  kind: 'image' | 'video' | 'audio' | 'document' | 'sticker';
  mimeType: string;
  filename: string | null;
  byteSize: number;
  voice: boolean;
  durationMs: number | null;
}

/**
 * WhatsApp's type and size limits, checked before a byte is sent (the server checks again). A recorded
 * voice note may be WebM (Chromium's recorder): the server remuxes it into Ogg Opus.
 */
export function checkFile(file: File, options: { voice?: boolean } = {}): string | null {
  const recorded = options.voice && /^audio\/(webm|ogg)\b/.test(file.type);
  const kind = recorded ? 'audio' : mediaCategoryOf(file.type);
  if (!kind) {
    return `WhatsApp does not accept ${file.type || 'this type of file'}: send JPEG or PNG images, MP4 or 3GP videos, AAC, AMR, MP3, M4A or OGG audio, WebP stickers, or PDF, Word, Excel, PowerPoint or text documents.`;
  }
  const { maxBytes } = mediaLimits[kind];
  if (file.size > maxBytes)
    return `${file.name} is larger than WhatsApp's ${formatBytes(maxBytes)} limit for ${kind === 'audio' ? 'audio' : `${kind}s`}.`;
  if (file.size === 0) return `${file.name} is empty.`;
  return null;
}

/**
 * POST /media with upload progress (fetch has none for request bodies): resolves with the stored
 * upload, rejects with the server's readable message.
 */
export function uploadFile(
  file: File,
  options: { voice?: boolean; onProgress?: (fraction: number) => void; signal?: AbortSignal } = {},
): Promise<UploadedMedia> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', options.voice ? '/media?voice=1' : '/media');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) options.onProgress?.(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as { message?: string } | UploadedMedia | null;
      if (xhr.status === 201 && body && 'id' in body) resolve(body);
      else
        reject(
          new Error((body as { message?: string } | null)?.message ?? `Upload failed (HTTP ${xhr.status}).`),
        );
    };
    xhr.onerror = () => reject(new Error('The upload was interrupted: check the connection and retry.'));
    xhr.onabort = () => reject(new Error('Upload cancelled.'));
    options.signal?.addEventListener('abort', () => xhr.abort());
    const form = new FormData();
    form.set('file', file, file.name);
    xhr.send(form);
  });
}
