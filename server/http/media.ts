import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import type { AppServices } from '../app-services.ts';
import { withTenant, type Tx } from '../db/tx.ts';
import { httpSessionCookies } from '../domains/auth/sessions.ts';
import { contentDisposition, defaultFilename } from '../domains/media/disposition.ts';
import { findMedia, findThumbnail } from '../domains/media/queries.ts';
import { streamBytes } from '../domains/media/storage.ts';
import { storeUpload, UploadRefused } from '../domains/media/upload.ts';
import { mediaBodyLimit } from '../whatsapp/simulator/routes/media.ts';
import { resolveIdentity } from '../trpc/context.ts';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Caller {
  tenantId: string;
  userId: string | null;
  role: string;
}

/** The caller's workspace (session cookie, or an API key); answers 401 itself when there is none. */
export async function caller(services: AppServices, request: FastifyRequest, reply: FastifyReply) {
  const identity = await resolveIdentity(
    services,
    request.headers.authorization,
    httpSessionCookies(services.config, request, reply),
  ).catch(() => null);
  if (identity?.membership)
    return {
      tenantId: identity.membership.tenantId,
      userId: identity.user?.id ?? null,
      role: identity.membership.role,
    } satisfies Caller;
  if (identity?.apiKey)
    return {
      tenantId: identity.apiKey.tenantId,
      userId: null,
      role: identity.apiKey.scopes.includes('write') ? 'agent' : 'viewer',
    } satisfies Caller;
  void reply.code(401).send({ statusCode: 401, error: 'Unauthorized', message: 'Sign in to see media.' });
  return null;
}

const notFound = (reply: FastifyReply) =>
  reply.code(404).send({ statusCode: 404, error: 'Not Found', message: 'No such media in this workspace.' });

/** `bytes=a-b`, `bytes=a-`, `bytes=-n` over `size` bytes; null: unsatisfiable; undefined: ignore (serve all). */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | undefined {
  if (!header) return undefined;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return undefined; // several ranges or another unit: the whole file, as RFC 9110 allows
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return undefined;
  if (from === '') {
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(from);
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  if (start >= size || end < start) return null;
  return { start, end };
}

const etagOf = (sha256: Buffer, suffix = '') => `"${sha256.toString('base64url')}${suffix}"`;

function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const candidate = tag.trim().replace(/^W\//, '');
    return candidate === '*' || candidate === etag;
  });
}

function commonHeaders(reply: FastifyReply) {
  // Stored files are never interpreted by the browser as anything but what they claim to be, and a
  // document opened directly cannot run scripts in Parley's origin.
  void reply
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; media-src 'self'; img-src 'self'; sandbox")
    .header('cache-control', 'private, max-age=31536000, immutable')
    .header('cross-origin-resource-policy', 'same-origin');
}

/**
 * Media over HTTP for the inbox: GET /media/:id streams a stored file (Range for seeking, ETag for
 * caching, inline or attachment by kind), GET /media/:id/thumbnail its WebP preview, POST /media an
 * agent's upload (multipart field `file`, checked against WhatsApp's limits while it streams in).
 * Every route needs a signed-in member (or an API key) and reads under the caller's tenant, so another
 * workspace's media id is simply not found.
 */
export async function mediaRoutes(app: FastifyInstance, { services }: { services: AppServices }) {
  await app.register(multipart, { limits: { files: 1, fields: 5, fileSize: mediaBodyLimit } });

  const inTenant =
    (tenantId: string) =>
    <T>(fn: (tx: Tx) => Promise<T>) =>
      withTenant(services.pools.app, tenantId, fn);

  app.get('/media/:id', async (request, reply) => {
    const { id } = request.params as { id: string };
    const who = await caller(services, request, reply);
    if (!who) return reply;
    if (!uuidPattern.test(id)) return notFound(reply);
    const media = await inTenant(who.tenantId)((tx) => findMedia(tx, id));
    if (!media) return notFound(reply);
    if (media.status === 'pending') {
      return reply
        .code(409)
        .header('retry-after', '2')
        .send({
          statusCode: 409,
          error: 'Conflict',
          message: `This ${media.kind} is still downloading from WhatsApp.`,
        });
    }
    if (media.status === 'unavailable' || media.byteSize === null || media.sha256 === null) {
      return reply.code(410).send({
        statusCode: 410,
        error: 'Gone',
        message: `This ${media.kind} is unavailable: ${media.unavailableReason ?? 'it was deleted'}.`,
      });
    }
    const size = media.byteSize;
    const etag = etagOf(media.sha256);
    commonHeaders(reply);
    void reply
      .header('etag', etag)
      .header('accept-ranges', 'bytes')
      .header(
        'content-disposition',
        contentDisposition(media.kind, media.filename, defaultFilename(media.kind, media.mimeType)),
      );
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    const ifRange = request.headers['if-range'];
    const range = ifRange && ifRange !== etag ? undefined : parseRange(request.headers.range, size);
    if (range === null) {
      return reply.code(416).header('content-range', `bytes */${size}`).send();
    }
    const { start, end } = range ?? { start: 0, end: size - 1 };
    void reply.type(media.mimeType).header('content-length', String(end - start + 1));
    if (range) void reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`);
    if (request.method === 'HEAD' || size === 0) return reply.send('');
    return reply.send(Readable.from(streamBytes(inTenant(who.tenantId), media, start, end)));
  });

  app.get('/media/:id/thumbnail', async (request, reply) => {
    const { id } = request.params as { id: string };
    const who = await caller(services, request, reply);
    if (!who) return reply;
    if (!uuidPattern.test(id)) return notFound(reply);
    const found = await inTenant(who.tenantId)((tx) => findThumbnail(tx, id));
    if (!found) return notFound(reply);
    const etag = etagOf(found.sha256, '-t');
    commonHeaders(reply);
    void reply.header('etag', etag).header('content-disposition', 'inline; filename="thumbnail.webp"');
    if (matchesEtag(request.headers['if-none-match'], etag)) return reply.code(304).send();
    return reply.type('image/webp').send(found.thumbnail);
  });

  app.post('/media', async (request, reply) => {
    const who = await caller(services, request, reply);
    if (!who) return reply;
    if (who.role === 'viewer') {
      return reply
        .code(403)
        .send({ statusCode: 403, error: 'Forbidden', message: 'Viewers cannot send files.' });
    }
    if (!request.isMultipart()) {
      return reply.code(415).send({
        statusCode: 415,
        error: 'Unsupported Media Type',
        message: 'Upload the file as multipart/form-data (field "file").',
      });
    }
    try {
      const stored = await storeUpload(services, who, request);
      return reply.code(201).send(stored);
    } catch (error) {
      if (error instanceof UploadRefused) {
        // Refused before the body was all read: close the connection after answering rather than
        // leave the client sending the rest into a socket nobody reads (RFC 9110, 413).
        if (!request.raw.readableEnded) reply.header('connection', 'close');
        return reply
          .code(error.statusCode)
          .send({ statusCode: error.statusCode, error: error.title, message: error.message });
      }
      throw error;
    }
  });
}
