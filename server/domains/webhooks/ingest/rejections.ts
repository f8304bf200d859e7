import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { sql, type DatabasePool } from 'slonik';
import type { Logger } from '../../../logger.ts';
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
export class RejectedSignatures {
  private counts = new Map<string, number>();
  private readonly pool: DatabasePool;
  private readonly logger: Logger;

  constructor(pool: DatabasePool, logger: Logger) {
    this.pool = pool;
    this.logger = logger;
  }

  /** One refused POST for `appKey` (keys Parley could not have issued are not counted). */
  add(appKey: string | undefined): void {
    if (!appKey || !appKeyPattern.test(appKey)) return;
    if (!this.counts.has(appKey) && this.counts.size >= maxKeys) return;
    this.counts.set(appKey, (this.counts.get(appKey) ?? 0) + 1);
  }

  async flush(): Promise<void> {
    if (this.counts.size === 0) return;
    const batch = this.counts;
    this.counts = new Map();
    try {
      await this.pool.query(sql.unsafe`
        select app_public.count_rejected_webhook_signatures(
          ${sql.array([...batch.keys()], 'text')}, ${sql.array([...batch.values()], 'int4')})
      `);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not record rejected webhook signatures');
    }
  }
}

/** Flushes the counts every few seconds and at close; counts the 401s of the Fastify webhook route. */
async function rejections(app: FastifyInstance, options: { counter: RejectedSignatures }): Promise<void> {
  const { counter } = options;
  const timer = setInterval(() => void counter.flush(), flushEveryMs);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await counter.flush();
  });

  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode !== 401 || request.method !== 'POST') return;
    if (request.routeOptions.url !== '/webhooks/whatsapp/:appKey') return;
    counter.add((request.params as { appKey?: string }).appKey);
  });
}

export const webhookRejections = fp(rejections, { name: 'parley-webhook-rejections' });
