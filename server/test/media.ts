import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { messageMediaSchema } from '../domains/messages/queries.ts';

/** The `media` of a message as message.list gives it. */
export type MessageMedia = z.infer<typeof messageMediaSchema>;

/** What POST /media answers: the stored upload, ready for message.sendMedia. */
export interface StoredUpload {
  id: string;
  kind: MessageMedia['kind'];
  mimeType: string;
  filename: string | null;
  byteSize: number;
  voice: boolean;
  durationMs: number | null;
}

/** A voice note as Chromium records it (WebM Opus, 1.5 s; fixtures/media/README.md). */
export const chromiumVoiceNote = () =>
  fs.readFileSync(fileURLToPath(new URL('./fixtures/media/voice-chromium.webm', import.meta.url)));

/** POST /media as a browser would (multipart, same-origin), with a session cookie or an API key. */
export async function uploadViaHttp(
  app: FastifyInstance,
  as: { cookie: string } | { bearer: string },
  file: { bytes: Uint8Array; mimeType: string; filename: string },
  options: { voice?: boolean } = {},
) {
  const form = new FormData();
  form.set('file', new Blob([new Uint8Array(file.bytes)], { type: file.mimeType }), file.filename);
  const request = new Request('http://localhost/media', { method: 'POST', body: form });
  const headers: Record<string, string> = {
    'content-type': request.headers.get('content-type') ?? '',
    origin: 'http://localhost',
    host: 'localhost',
  };
  if ('cookie' in as) headers.cookie = `parley_session=${as.cookie}`;
  else headers.authorization = `Bearer ${as.bearer}`;
  return app.inject({
    method: 'POST',
    url: options.voice ? '/media?voice=1' : '/media',
    headers,
    payload: Buffer.from(await request.arrayBuffer()),
  });
}
