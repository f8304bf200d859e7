import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql, type DatabasePool } from 'slonik';
import { appKeyPattern } from './secrets.ts';

/** Distinct keys remembered between flushes; a flood of made-up keys cannot grow memory past this. */
const maxKeys = 1_000;
const flushEveryMs = 5_000;

/**
 * Counts webhook POSTs refused for their signature (401) per app key, so a channel card can show
 * "N rejected signatures" — usually an app secret that does not match the one Meta signs with. The
 * count lives in memory and is added to the channels in one statement every few seconds: refusing
 * unauthenticated garbage never costs a database write per request.
 */
async function rejections(app: FastifyInstance, options: { pool: DatabasePool }): Promise<void> {
  let counts = new Map<string, number>();

  async function flush() {
    if (counts.size === 0) return;
    const batch = counts;
    counts = new Map();
    try {
      await options.pool.query(sql.unsafe`
        select app_public.count_rejected_webhook_signatures(
          ${sql.array([...batch.keys()], 'text')}, ${sql.array([...batch.values()], 'int4')})
      `);
    } catch (error) {
      app.log.warn({ err: error }, 'could not record rejected webhook signatures');
    }
  }

  const timer = setInterval(() => void flush(), flushEveryMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await flush();
  });

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 401 || request.method !== 'POST') return;
    if (request.routeOptions.url !== '/webhooks/whatsapp/:appKey') return;
    const { appKey } = request.params as { appKey?: string };
    if (!appKey || !appKeyPattern.test(appKey)) return;
    if (!counts.has(appKey) && counts.size >= maxKeys) return;
    counts.set(appKey, (counts.get(appKey) ?? 0) + 1);
  });
}

export const webhookRejections = fp(rejections, { name: 'parley-webhook-rejections' });
