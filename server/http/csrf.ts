import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';

/**
 * Cross-site request forgery guard for cookie-authenticated writes. Session cookies are SameSite=Lax,
 * and on top of that every state-changing request must come from Parley's own origin (PUBLIC_URL) —
 * unless it authenticates with an API key in the Authorization header, which a browser never attaches
 * on its own. Reads (GET/HEAD/OPTIONS) and Meta's webhooks (signed, cookie-less) are not affected.
 */
async function guard(app: FastifyInstance, options: { publicUrl: string }): Promise<void> {
  const allowedOrigin = new URL(options.publicUrl).origin;
  app.addHook('onRequest', async (request, reply) => {
    if (['GET', 'HEAD', 'OPTIONS'].includes(request.method)) return;
    if (request.url.startsWith('/webhooks/')) return;
    if (request.headers.authorization) return;
    const origin = request.headers.origin;
    if (origin === allowedOrigin) return;
    return reply.code(403).send({
      statusCode: 403,
      error: 'Forbidden',
      message: origin
        ? `Cross-site request refused: Origin ${origin} is not ${allowedOrigin} (set PUBLIC_URL to the address users open).`
        : 'Cross-site request refused: the request has no Origin header. Browsers send one; API clients authenticate with an API key.',
    });
  });
}

export const csrfGuard = fp(guard, { name: 'parley-csrf-guard' });
