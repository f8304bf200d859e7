import type { FastifyInstance } from 'fastify';
import { resolveIdentity } from '../trpc/context.ts';
import { httpSessionCookies } from '../domains/auth/sessions.ts';
import { queueStats } from '../jobs/stats.ts';

/** Operator endpoints for monitoring tools that speak plain HTTP (the same data as platform.* procedures). */
export async function adminRoutes(app: FastifyInstance): Promise<void> {
  app.get('/api/admin/queues/stats', async (request, reply) => {
    const identity = await resolveIdentity(
      app.services,
      undefined,
      httpSessionCookies(app.services.config, request, reply),
    );
    if (!identity.user)
      return reply
        .code(401)
        .send({ statusCode: 401, error: 'Unauthorized', message: 'Sign in as a platform administrator.' });
    if (!identity.user.isPlatformAdmin) {
      return reply.code(403).send({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Only platform administrators can see queue statistics.',
      });
    }
    return { queues: await queueStats(app.services.boss) };
  });
}
