import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyRequest } from 'fastify';

export const clientBuildDir = fileURLToPath(new URL('../../dist/client/', import.meta.url));

/**
 * Paths the single-page app never owns: unknown ones there stay JSON 404s (a missing /assets chunk
 * too, so a stale tab fails loudly instead of parsing HTML as JavaScript).
 */
const serverPrefixes = ['/trpc', '/api', '/webhooks', '/media', '/sandbox', '/healthz', '/readyz', '/assets'];

/** Whether a request is a browser asking for a page: only those get the app (client-side routes). */
function wantsPage(request: FastifyRequest): boolean {
  const url = request.url.split('?')[0] ?? '/';
  return (
    request.method === 'GET' &&
    (request.headers.accept ?? '').includes('text/html') &&
    !serverPrefixes.some((prefix) => url === prefix || url.startsWith(`${prefix}/`)) &&
    !path.extname(url)
  );
}

/**
 * Serves the production build of the web app, with index.html for client-side routes (/inbox/<id>,
 * /invite/<token>, …; client/src/router.tsx). `root` is for tests.
 */
export async function staticClient(
  app: FastifyInstance,
  { root = clientBuildDir }: { root?: string } = {},
): Promise<void> {
  const indexHtml = path.join(root, 'index.html');
  if (!fs.existsSync(indexHtml)) {
    app.log.warn({ dir: root }, 'web app not built: run `npm run build` (or `npm run dev` for development)');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    wildcard: false,
    // Hashed assets never change; index.html must always be revalidated.
    setHeaders(res, filePath) {
      res.header(
        'cache-control',
        filePath.includes(`${path.sep}assets${path.sep}`)
          ? 'public, max-age=31536000, immutable'
          : 'no-cache',
      );
    },
  });
  app.setNotFoundHandler((request, reply) => {
    if (wantsPage(request)) {
      return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    }
    const url = request.url.split('?')[0] ?? '/';
    return reply
      .code(404)
      .send({ statusCode: 404, error: 'Not Found', message: `No route for ${request.method} ${url}` });
  });
}
