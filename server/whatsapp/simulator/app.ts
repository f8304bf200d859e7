import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { SimulatorContext } from './context.ts';
import type { Faults } from './faults.ts';
import { businessUseCaseUsage, graphErrors, graphRequestId, sendGraphError } from './graph-replies.ts';
import { mediaBodyLimit, mediaDownloadRoutes, mediaUploadRoutes } from './routes/media.ts';
import { messageRoutes } from './routes/messages.ts';
import { objectRoutes } from './routes/objects.ts';
import { templateRoutes } from './routes/templates.ts';

const versionPattern = /^v\d+\.\d+$/;

/** The simulator's HTTP face as its own server (tests, `npm run simulator`). */
export function buildSimulatorApp(context: SimulatorContext, faults: Faults): FastifyInstance {
  const logger = context.options.logger;
  const app: FastifyInstance = logger
    ? Fastify({ loggerInstance: logger, bodyLimit: 4 * 1024 * 1024 })
    : Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });
  void app.register(simulatorRoutes, { context, faults });
  return app;
}

/**
 * The Graph routes under /{version} (and unversioned, served at the default version as Meta does),
 * Meta-shaped errors for everything else. An encapsulated plugin, so Parley can mount it under a prefix
 * (the sandbox) without its parsers or error handling reaching the rest of the app.
 */
export async function simulatorRoutes(
  app: FastifyInstance,
  { context, faults }: { context: SimulatorContext; faults: Faults },
): Promise<void> {
  const { state } = context;

  // Graph ignores an empty JSON body (e.g. DELETE with a content-type header); Fastify would refuse it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => {
    if (body === '') return done(null, undefined);
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(Object.assign(new Error('Request body is not valid JSON.'), { statusCode: 400 }), undefined);
    }
  });
  app.addContentTypeParser(
    'multipart/form-data',
    { parseAs: 'buffer', bodyLimit: mediaBodyLimit },
    (_request, body, done) => done(null, body),
  );

  app.setErrorHandler((error: { statusCode?: number; code?: string; message?: string }, request, reply) => {
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendGraphError(reply, state, graphErrors.mediaUpload('The uploaded file is too large.'));
    }
    if (error.statusCode && error.statusCode < 500) {
      return sendGraphError(reply, state, graphErrors.invalidParameter(error.message ?? 'Invalid request'));
    }
    request.log.error({ err: error }, 'simulator route failed');
    return sendGraphError(reply, state, graphErrors.unknown());
  });

  app.setNotFoundHandler((request, reply) =>
    sendGraphError(reply, state, graphErrors.unsupportedRequest(request.method)),
  );

  // Meta's headers on every Graph answer; errors set their own trace id (the body's fbtrace_id).
  app.addHook('onSend', async (request, reply, payload) => {
    if (!reply.hasHeader('x-fb-trace-id')) {
      reply.header('x-fb-trace-id', state.ids.fbtraceId());
      reply.header('x-fb-request-id', graphRequestId(state));
    }
    const wabaId = wabaOf(request, context);
    if (wabaId) {
      const throttled = reply.statusCode === 400 && String(payload).includes('"code":130429');
      reply.header('x-business-use-case-usage', businessUseCaseUsage(wabaId, throttled));
    }
    return payload;
  });

  const graphRoutes = async (graph: FastifyInstance) => {
    graph.addHook('onRequest', async (request, reply) => {
      const { version } = request.params as { version?: string };
      // Unversioned paths are served at the default version, like graph.facebook.com does.
      if (version !== undefined && !versionPattern.test(version)) {
        return sendGraphError(reply, state, {
          httpStatus: 400,
          code: 100,
          type: 'GraphMethodException',
          message: `Unknown API version '${version}'.`,
        });
      }
      return faults.apply(request, reply);
    });
    messageRoutes(graph, context);
    mediaUploadRoutes(graph, context);
    templateRoutes(graph, context);
    objectRoutes(graph, context);
  };
  await app.register(graphRoutes, { prefix: '/:version' });
  await app.register(graphRoutes);
  mediaDownloadRoutes(app, context);
}

/** The WABA a Graph call concerns (by phone number, WABA or media id in its path), for usage headers. */
function wabaOf(request: FastifyRequest, context: SimulatorContext): string | undefined {
  const params = (request.params ?? {}) as Record<string, string | undefined>;
  const id = params.phoneNumberId ?? params.wabaId ?? params.objectId;
  if (!id) return undefined;
  const { state } = context;
  if (state.isWaba(id)) return id;
  const phone = state.phoneNumber(id) ?? state.phoneNumber(state.media(id)?.phoneNumberId ?? '');
  return phone?.wabaId;
}
