import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Gauge, Registry } from 'prom-client';
import { sql } from 'slonik';
import { z } from 'zod';
import { bossSchema } from '../jobs/boss.ts';
import { queueNames } from '../jobs/queues.ts';
import { queueStats } from '../jobs/stats.ts';
import { httpDuration, processRegistry } from '../observability/metrics.ts';

const oldestJobs = z.object({ name: z.string(), ageSeconds: z.number() });

function allowed(request: FastifyRequest, token: string | undefined): boolean {
  if (token) {
    const given = Buffer.from(/^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '')?.[1] ?? '');
    const expected = Buffer.from(token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
  // No token configured: the machine itself only, and not a request a local proxy forwarded.
  const address = request.socket.remoteAddress ?? '';
  const loopback = address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
  return loopback && request.headers['x-forwarded-for'] === undefined;
}

/**
 * GET /metrics for Prometheus: what code paths record (server/observability/metrics.ts: request
 * latency by route, webhook ingest time, sends and Graph errors per number) plus what is read at
 * scrape time: queue depths and the age of each queue's oldest waiting job (webhook.process's is the
 * processing lag), and this node's realtime subscribers. METRICS_TOKEN, or loopback only.
 */
async function metrics(app: FastifyInstance): Promise<void> {
  const services = app.services;
  const registry = new Registry();
  new Gauge({
    name: 'parley_queue_depth',
    help: 'Jobs per queue and state (ready, deferred, active, failed, dead-lettered).',
    labelNames: ['queue', 'state'] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of await queueStats(services.boss)) {
        this.set({ queue: queue.name, state: 'ready' }, queue.ready);
        this.set({ queue: queue.name, state: 'deferred' }, queue.deferred);
        this.set({ queue: queue.name, state: 'active' }, queue.active);
        this.set({ queue: queue.name, state: 'failed' }, queue.failed);
        this.set({ queue: queue.name, state: 'dead_lettered' }, queue.deadLettered);
      }
    },
  });
  new Gauge({
    name: 'parley_queue_oldest_job_age_seconds',
    help: "Age of each queue's oldest job waiting to run (0: none); webhook.process's is the processing lag.",
    labelNames: ['queue'] as const,
    registers: [registry],
    async collect() {
      const rows = await services.pools.owner.any(sql.type(oldestJobs)`
        select name, extract(epoch from now() - min(created_on))::float8 as "ageSeconds"
        from ${sql.identifier([bossSchema, 'job'])}
        where state in ('created', 'retry') and start_after <= now()
          and name = any(${sql.array(queueNames, 'text')})
        group by name
      `);
      const ages = new Map(rows.map((row) => [row.name, row.ageSeconds]));
      for (const name of queueNames) this.set({ queue: name }, ages.get(name) ?? 0);
    },
  });
  new Gauge({
    name: 'parley_realtime_subscribers',
    help: 'Open realtime subscriptions (server-sent events) on this node.',
    registers: [registry],
    collect() {
      this.set(services.realtime?.subscriberCount ?? 0);
    },
  });

  app.addHook('onResponse', (request, reply, done) => {
    // The route pattern, never the raw URL: label values stay bounded.
    httpDuration.observe(
      {
        method: request.method,
        route: request.routeOptions.url ?? 'unmatched',
        status: String(reply.statusCode),
      },
      reply.elapsedTime / 1000,
    );
    done();
  });

  app.get('/metrics', { logLevel: 'warn' }, async (request, reply) => {
    if (!allowed(request, services.config.metricsToken)) {
      return reply.code(401).send({
        statusCode: 401,
        error: 'Unauthorized',
        message: 'Send METRICS_TOKEN as Authorization: Bearer <token> (unset, only this machine may scrape).',
      });
    }
    const merged = Registry.merge([processRegistry, registry]);
    return reply.header('content-type', merged.contentType).send(await merged.metrics());
  });
}

/** Not encapsulated: its latency hook sees every route. */
export const metricsRoutes = fp(metrics, { name: 'parley-metrics' });
