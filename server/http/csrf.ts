import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Cross-site request forgery guard for cookie-authenticated writes. Session cookies are SameSite=Lax,
 * and on top of that a state-changing request's Origin must be the origin it was sent to (its Host
 * header; X-Forwarded-Host/Proto only behind a trusted proxy, TRUST_PROXY) or PUBLIC_URL's origin. So
 * Parley works at whatever address users open (127.0.0.1, a LAN IP, a mapped Docker port) while a page
 * on another site can never write. Requests with an API key in the Authorization header, which a
 * browser never attaches on its own, and Meta's webhooks (signed, cookie-less) are not affected.
 */
async function guard(app: FastifyInstance, options: { publicUrl: string }): Promise<void> {
  const publicOrigin = new URL(options.publicUrl).origin;
  app.addHook('onRequest', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    if (request.url.startsWith('/webhooks/')) return;
    if (request.headers.authorization) return;
    const origin = request.headers.origin;
    const own = requestOrigin(request);
    if (origin && (origin === own || origin === publicOrigin)) return;
    return refuse(
      request,
      reply,
      origin
        ? `Request refused: it comes from ${origin}, but this server was addressed as ${own ?? 'an unknown host'}. Open Parley at its own address (or set PUBLIC_URL to the address users open; behind a reverse proxy set TRUST_PROXY).`
        : 'Request refused: it has no Origin header. Browsers send one; API clients authenticate with an API key.',
    );
  });
}

/** `scheme://host[:port]` the client addressed; Fastify reads X-Forwarded-* only when trustProxy is set. */
function requestOrigin(request: FastifyRequest): string | undefined {
  const host = request.host;
  if (!host) return undefined;
  try {
    return new URL(`${request.protocol}://${host}`).origin;
  } catch {
    return undefined;
  }
}

/**
 * tRPC calls get tRPC's own error envelope, so the web app (and any tRPC client) shows this sentence
 * instead of failing to parse the reply ("Unable to transform response from server").
 */
function refuse(request: FastifyRequest, reply: FastifyReply, message: string) {
  reply.code(403);
  if (request.url.startsWith('/trpc/')) {
    return reply.send({ error: { message, code: -32003, data: { code: 'FORBIDDEN', httpStatus: 403 } } });
  }
  return reply.send({ statusCode: 403, error: 'Forbidden', message });
}

export const csrfGuard = fp(guard, { name: 'parley-csrf-guard' });
