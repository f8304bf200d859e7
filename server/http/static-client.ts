import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

export const clientBuildDir = fileURLToPath(new URL('../../dist/client/', import.meta.url));

/** Paths the single-page app never owns: unknown ones there stay JSON 404s. */
const serverPrefixes = ['/trpc', '/api', '/webhooks', '/media', '/healthz', '/readyz'];

/** Serves the production build of the web app, with index.html for client-side routes. */
export async function staticClient(app: FastifyInstance): Promise<void> {
  const indexHtml = path.join(clientBuildDir, 'index.html');
  if (!fs.existsSync(indexHtml)) {
    app.log.warn(
      { dir: clientBuildDir },
      'web app not built: run `npm run build` (or `npm run dev` for development)',
    );
    return;
  }
  await app.register(fastifyStatic, {
    root: clientBuildDir,
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
    const url = request.url.split('?')[0] ?? '/';
    const ownedByServer = serverPrefixes.some((prefix) => url === prefix || url.startsWith(`${prefix}/`));
    if (request.method === 'GET' && !ownedByServer && !path.extname(url)) {
      return reply.type('text/html').header('cache-control', 'no-cache').sendFile('index.html');
    }
    return reply
      .code(404)
      .send({ statusCode: 404, error: 'Not Found', message: `No route for ${request.method} ${url}` });
  });
}
