import type { FastifyInstance } from 'fastify';
import { checkReadiness } from '../domains/system/service.ts';

/** /healthz: the process answers. /readyz: it can serve traffic (database reachable, schema current). */
export async function healthRoutes(app: FastifyInstance): Promise<void> {
  app.get('/healthz', { logLevel: 'warn' }, () => ({ status: 'ok' }));

  app.get('/readyz', { logLevel: 'warn' }, async (_request, reply) => {
    const readiness = await checkReadiness({ pools: app.services.pools, logger: app.log });
    return reply
      .code(readiness.ready ? 200 : 503)
      .send({ status: readiness.ready ? 'ready' : 'not ready', ...readiness });
  });
}
