import { defaultRunnerTiming } from './domains/campaigns/runner.ts';
import { defaultSendTiming } from './domains/messages/send-job.ts';
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { fastifyTRPCPlugin, type FastifyTRPCPluginOptions } from '@trpc/server/adapters/fastify';
import fastifyCookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import pg from 'pg';
import type { AppServices } from './app-services.ts';
import type { Config } from './config.ts';
import { createPools } from './db/pools.ts';
import { isDatabaseUnavailable, unavailableRetryAfterSeconds } from './db/unavailable.ts';
import { healthRoutes } from './http/health.ts';
import { metricsRoutes } from './http/metrics.ts';
import { adminRoutes } from './http/admin.ts';
import { staticClient } from './http/static-client.ts';
import { ensureQueues, startBoss } from './jobs/boss.ts';
import { queueSettings } from './jobs/queues.ts';
import { registerWorkers } from './jobs/workers.ts';
import { httpBusySignal, HttpPriority } from './jobs/http-priority.ts';
import { concurrency as webhookProcessConcurrency } from './jobs/handlers/webhook-process.ts';
import { fillAppSecretFingerprints } from './domains/webhooks/ingest/fingerprints.ts';
import { lazyChildLogger, type Logger } from './logger.ts';
import { createLogMailer, createSmtpMailer, type Mailer } from './mailer.ts';
import { csrfGuard } from './http/csrf.ts';
import { RejectedSignatures, webhookRejections } from './domains/webhooks/ingest/rejections.ts';
import { webhookFastPath } from './http/webhook-fast-path.ts';
import { createSandbox, restoreSandboxChannels, sandboxGraphPath } from './domains/channels/sandbox.ts';
import { webhookRoutes } from './http/webhooks.ts';
import { loadKeyring, type Keyring } from './crypto/keyring.ts';
import { DeliveryWriter } from './domains/webhooks/ingest/delivery-writer.ts';
import { WebhookSecretCache } from './domains/webhooks/ingest/secrets.ts';
import { RealtimeHub } from './realtime/hub.ts';
import { RealtimeListener } from './realtime/listener.ts';
import { createContextFactory } from './trpc/context.ts';
import { campaignRoutes } from './http/campaigns.ts';
import { contactRoutes } from './http/contacts.ts';
import { mediaRoutes } from './http/media.ts';
import { restApi } from './http/rest-api.ts';
import { appRouter, type AppRouter } from './trpc/router.ts';

declare module 'fastify' {
  interface FastifyInstance {
    services: AppServices;
  }
}

export interface BuildAppOptions {
  config: Config;
  logger: Logger;
  /** Owner connection string of a migrated database. */
  databaseUrl: string;
  /** This node runs job workers and pg-boss maintenance. */
  workers: boolean;
  /** This node answers HTTP (default); main.ts's `worker` command does not. */
  http?: boolean;
  /** Outgoing email; defaults to SMTP_URL's server, or else to writing messages to the log. */
  mailer?: Mailer;
  /** Defaults to PARLEY_ENCRYPTION_KEYS, or the generated key in the data directory. */
  keyring?: Keyring;
  /** Meta's webhook POSTs answered in front of Fastify (default; false: by the Fastify route, for comparison). */
  webhookFastPath?: boolean;
}

const requestIdPattern = /^[\w.:-]{1,64}$/;

/** Accept a caller's request id when it is sane, so one id follows a request across systems. */
function requestIdOf(request: IncomingMessage): string {
  const incoming = request.headers['x-request-id'];
  return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
}

const connectionTimeout = 10_000;
const requestTimeout = 30_000;
const keepAliveTimeout = 72_000;

/** Builds the whole application as a Fastify instance; it never listens (main.ts does). */
export async function buildApp(options: BuildAppOptions): Promise<FastifyInstance> {
  const { config, logger } = options;
  const trustProxy = config.trustProxy;
  let fastPath: ((request: IncomingMessage, response: ServerResponse) => boolean) | undefined;
  let closing = false;
  const app = Fastify({
    loggerInstance: logger,
    childLoggerFactory: (parent, bindings, options) => lazyChildLogger(parent, bindings, options),
    genReqId: requestIdOf,
    connectionTimeout,
    requestTimeout,
    keepAliveTimeout,
    // Fastify's own server, with Meta's webhook POSTs taken in front of it (webhookFastPath, set
    // once the routes exist); Fastify applies no timeouts to a server it did not make.
    serverFactory: (handler) => {
      const server = http.createServer((request, response) => {
        if (!fastPath?.(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = keepAliveTimeout;
      server.requestTimeout = requestTimeout;
      server.setTimeout(connectionTimeout);
      return server;
    },
    bodyLimit: 1024 * 1024,
    routerOptions: { maxParamLength: 500 },
    // A hop count trusts that many proxies in front (Fastify takes it as a function of the hop).
    trustProxy:
      typeof trustProxy === 'number' ? (_address: string, hop: number) => hop < trustProxy : trustProxy,
  });

  const pools = await createPools(options.databaseUrl, config.databasePoolSize);
  let boss;
  try {
    boss = await startBoss(options.databaseUrl, logger, { supervise: options.workers });
    // Every node, web-only ones too: ingest enqueues into these queues, whatever runs the workers.
    await ensureQueues(boss, queueSettings);
  } catch (error) {
    await pools.end();
    throw error;
  }
  const keyring =
    options.keyring ??
    loadKeyring(config.encryptionKeys, config.dataDir, (file) =>
      logger.warn(
        { file },
        'generated an encryption key for channel secrets: set PARLEY_ENCRYPTION_KEYS from it and back it up',
      ),
    );
  // A worker-only node sends sandbox channels' Graph calls to the web server's simulator (PUBLIC_URL).
  const remoteSandbox = options.http === false;
  const sandbox = config.sandbox
    ? createSandbox(() => app, config, logger, { graphOverNetwork: remoteSandbox })
    : undefined;
  if (sandbox && remoteSandbox)
    logger.info({ graph: sandbox.baseUrl }, 'sandbox Graph calls go to the web server');
  else if (sandbox) await restoreSandboxChannels(pools.owner, keyring, sandbox);
  // The realtime bus on nodes that answer HTTP: one LISTEN connection fanning out to subscriptions.
  const realtime = options.http === false ? undefined : new RealtimeHub(pools.app, logger);
  const listener = realtime
    ? new RealtimeListener(options.databaseUrl, logger, {
        onEvent: (tenantId) => realtime.onEvent(tenantId),
        onReconnect: () => realtime.onReconnect(),
        onPresence: (tenantId) => realtime.onPresence(tenantId),
      })
    : undefined;
  await listener?.start();
  // Ingest first: the webhook pool and writer exist before the services that yield to them.
  const ingestPool = new pg.Pool({
    connectionString: options.databaseUrl,
    max: 4,
    application_name: 'parley-ingest',
  });
  let httpPriority: HttpPriority | undefined;
  // Work held back while requests waited is let in as soon as their commit answers them.
  const deliveryWriter = new DeliveryWriter(ingestPool, boss, { onSettled: () => httpPriority?.recheck() });
  // In `all`, processing runs fewer batches at once while webhook requests wait for their answer.
  const httpLoad = options.http === false ? undefined : httpBusySignal(() => deliveryWriter.pending);
  const services: AppServices = {
    config,
    pools,
    boss,
    logger,
    sandbox,
    sendTiming: { ...defaultSendTiming },
    campaignTiming: { ...defaultRunnerTiming },
    mailer:
      options.mailer ??
      (config.smtpUrl
        ? createSmtpMailer(config.smtpUrl, config.smtpFrom, logger)
        : createLogMailer(logger, { production: config.env === 'production' })),
    keyring,
    realtime,
    httpPriority: (httpPriority = new HttpPriority(httpLoad?.busy ?? (() => false), {
      max: webhookProcessConcurrency,
    })),
  };
  // Webhook ingest writes deliveries and their jobs with the owner's connection, like pg-boss itself.
  // A connection can drop while checked out (terminated backend, restart, failover): without its own
  // listener, the client's 'error' event would be uncaught and end the process. The query in flight
  // fails anyway and the pool replaces the connection; webhooks answer 503 meanwhile.
  ingestPool.on('error', (error) => logger.warn({ err: error }, 'ingest pool: idle connection lost'));
  ingestPool.on('connect', (client) =>
    client.on('error', (error) => logger.warn({ err: error }, 'ingest pool: connection lost')),
  );
  if (options.workers) {
    await fillAppSecretFingerprints(pools.owner, keyring, logger);
    await registerWorkers(services);
  }
  app.decorate('services', services);

  // Open subscriptions (server-sent events) would hold the close until they end: end them first.
  app.addHook('preClose', async () => {
    closing = true;
    await realtime?.close();
    await listener?.close();
  });

  // Runs after the server stopped accepting and in-flight requests finished: drain jobs, then pools.
  app.addHook('onClose', async () => {
    await sandbox?.close();
    await deliveryWriter.drain();
    httpLoad?.stop();
    await ingestPool.end();
    await services.boss.stop({ graceful: true, timeout: config.shutdownTimeoutMs });
    await services.pools.end();
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  app.setErrorHandler((error: { statusCode?: number; message?: string; code?: string }, request, reply) => {
    const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (statusCode === 500 && isDatabaseUnavailable(error)) {
      request.log.warn({ err: error }, 'database unavailable: answered 503');
      return reply.code(503).header('retry-after', String(unavailableRetryAfterSeconds)).send({
        statusCode: 503,
        error: 'Service Unavailable',
        message: 'The database is unavailable for a moment; retry shortly.',
        requestId: request.id,
      });
    }
    if (statusCode >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply
        .code(statusCode)
        .send({ statusCode, error: 'Internal Server Error', requestId: request.id });
    }
    return reply
      .code(statusCode)
      .send({ statusCode, error: error.code ?? 'Bad Request', message: error.message });
  });

  await app.register(fastifyCookie);
  await app.register(metricsRoutes);
  await app.register(healthRoutes);
  await app.register(adminRoutes);
  await app.register(csrfGuard, { publicUrl: config.publicUrl });
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: createContextFactory(services),
      onError({ error, path, ctx }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          (ctx?.logger ?? logger).error({ err: error.cause ?? error, path }, 'procedure failed');
        } else if (error.code === 'SERVICE_UNAVAILABLE') {
          (ctx?.logger ?? logger).warn(
            { err: error.cause ?? error, path },
            'database unavailable: answered 503',
          );
        }
      },
      // Like the HTTP routes' 503: tells clients and proxies when retrying makes sense.
      responseMeta: ({ errors }) =>
        errors.some((error) => error.code === 'SERVICE_UNAVAILABLE')
          ? { headers: { 'retry-after': String(unavailableRetryAfterSeconds) } }
          : {},
    },
  } satisfies FastifyTRPCPluginOptions<AppRouter>);
  await app.register(restApi, { services });
  await app.register(mediaRoutes, { services });
  await app.register(contactRoutes, { services });
  await app.register(campaignRoutes, { services });
  const rejectedSignatures = new RejectedSignatures(pools.app, logger);
  await app.register(webhookRejections, { counter: rejectedSignatures });
  if (sandbox) await sandbox.simulator.mount(app, sandboxGraphPath);
  const webhookSecrets = new WebhookSecretCache(pools.app, keyring);
  await app.register(webhookRoutes, { secrets: webhookSecrets, writer: deliveryWriter });
  if (options.webhookFastPath !== false)
    fastPath = webhookFastPath({
      secrets: webhookSecrets,
      writer: deliveryWriter,
      logger,
      rejections: rejectedSignatures,
      requestId: requestIdOf,
      closing: () => closing,
    });
  await app.register(staticClient);

  return app;
}
