import { createHmac, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { checkMediaUpload, mediaLimits } from '../../media-limits.ts';
import { publicBaseUrl, type SimulatorContext } from '../context.ts';
import { authenticate, graphErrors, mayUse, sendGraphError } from '../graph-replies.ts';
import type { MediaRecord } from '../state.ts';

/** Largest accepted upload body: a 100 MB document plus multipart framing. */
export const mediaBodyLimit = 101 * 1024 * 1024;

const supportedTypes = Object.values(mediaLimits)
  .flatMap((limit) => limit.mimeTypes)
  .join(', ');

/** POST /{phone_number_id}/media: multipart upload (fields messaging_product, type, file), Meta's limits. */
export function mediaUploadRoutes(graph: FastifyInstance, context: SimulatorContext): void {
  const { state } = context;

  graph.post('/:phoneNumberId/media', { bodyLimit: mediaBodyLimit }, async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { phoneNumberId } = request.params as { phoneNumberId: string };
    const phone = state.phoneNumber(phoneNumberId);
    if (!phone || !mayUse(token, phone.wabaId)) {
      return sendGraphError(reply, state, graphErrors.unknownObject('POST', phoneNumberId));
    }
    const contentType = request.headers['content-type'] ?? '';
    if (!Buffer.isBuffer(request.body) || !contentType.startsWith('multipart/form-data')) {
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter('Upload media as multipart/form-data.'),
      );
    }
    let form: FormData;
    try {
      form = await new Response(new Uint8Array(request.body), {
        headers: { 'content-type': contentType },
      }).formData();
    } catch {
      return sendGraphError(reply, state, graphErrors.invalidParameter('Malformed multipart body.'));
    }
    if (form.get('messaging_product') !== 'whatsapp') {
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter('The parameter messaging_product is required.'),
      );
    }
    const file = form.get('file');
    if (!(file instanceof Blob)) {
      return sendGraphError(reply, state, graphErrors.invalidParameter('The parameter file is required.'));
    }
    const declared = form.get('type');
    const mimeType = typeof declared === 'string' && declared ? declared : file.type;
    const bytes = Buffer.from(await file.arrayBuffer());
    const check = checkMediaUpload(mimeType, bytes);
    if (!check.ok && check.reason === 'unsupported-type') {
      return sendGraphError(
        reply,
        state,
        graphErrors.invalidParameter(
          `Param file must be a file with one of the following types: ${supportedTypes}. Received file of type '${mimeType}'.`,
        ),
      );
    }
    if (!check.ok) return sendGraphError(reply, state, graphErrors.mediaUpload(check.message));
    const filename = file instanceof File && file.name ? file.name : undefined;
    const stored = state.addMedia({
      phoneNumberId: phone.id,
      bytes,
      mimeType,
      ...(filename ? { filename } : {}),
    });
    return reply.send({ id: stored.id });
  });
}

/** GET /{media_id}: a short-lived download URL served by the simulator itself. */
export function mediaUrlReply(
  context: SimulatorContext,
  request: FastifyRequest,
  reply: FastifyReply,
  media: MediaRecord,
) {
  const expires = Math.floor((context.state.now() + context.options.mediaUrlTtlMs) / 1000);
  const url = new URL(`${publicBaseUrl(context, request)}/media-download/${media.id}`);
  url.searchParams.set('mid', media.id);
  url.searchParams.set('ext', String(expires));
  url.searchParams.set('hash', downloadHash(context.mediaUrlKey, media.id, expires));
  return reply.send({
    messaging_product: 'whatsapp',
    url: url.toString(),
    mime_type: media.mimeType,
    sha256: media.sha256.toString('hex'),
    file_size: media.bytes.length,
    id: media.id,
  });
}

function downloadHash(key: Buffer, mediaId: string, expires: number): string {
  return createHmac('sha256', key).update(`${mediaId}:${expires}`).digest('base64url').slice(0, 22);
}

/** GET /media-download/{id}?mid&ext&hash: needs the bearer token, like Meta's lookaside URLs. */
export function mediaDownloadRoutes(app: FastifyInstance, context: SimulatorContext): void {
  const { state } = context;

  app.get('/media-download/:mediaId', async (request, reply) => {
    const token = authenticate(request, reply, state);
    if (!token) return reply;
    const { mediaId } = request.params as { mediaId: string };
    const query = request.query as { ext?: string; hash?: string };
    const media = state.media(mediaId);
    const phone = media ? state.phoneNumber(media.phoneNumberId) : undefined;
    const expires = Number(query.ext);
    const expected = Buffer.from(downloadHash(context.mediaUrlKey, mediaId, expires));
    const given = Buffer.from(query.hash ?? '');
    const valid =
      media &&
      phone &&
      mayUse(token, phone.wabaId) &&
      Number.isFinite(expires) &&
      expires * 1000 > state.now() &&
      given.length === expected.length &&
      timingSafeEqual(given, expected);
    if (!valid) return reply.code(404).type('text/plain').send('Not found');
    return reply.type(media.mimeType).header('content-length', media.bytes.length).send(media.bytes);
  });
}
