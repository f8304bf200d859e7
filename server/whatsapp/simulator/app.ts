import Fastify, { type FastifyInstance } from 'fastify';
import type { SimulatorContext } from './context.ts';
import type { Faults } from './faults.ts';
import { graphErrors, sendGraphError } from './graph-replies.ts';
import { mediaBodyLimit, mediaDownloadRoutes, mediaUploadRoutes } from './routes/media.ts';
import { messageRoutes } from './routes/messages.ts';
import { objectRoutes } from './routes/objects.ts';
import { templateRoutes } from './routes/templates.ts';

const versionPattern = /^v\d+\.\d+$/;

/** The simulator's HTTP face: Graph routes under /{version}, Meta-shaped errors for everything else. */
export function buildSimulatorApp(context: SimulatorContext, faults: Faults): FastifyInstance {
  const { state } = context;
  const logger = context.options.logger;
  const app: FastifyInstance = logger
    ? Fastify({ loggerInstance: logger, bodyLimit: 4 * 1024 * 1024 })
    : Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });

  // Graph ignores an empty JSON body (e.g. DELETE with a content-type header); Fastify would refuse it.
  app.removeContentTypeParser('application/json');
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
    sendGraphError(reply, state, {
      httpStatus: 400,
      code: 100,
      message: `Unsupported ${request.method.toLowerCase()} request.`,
    }),
  );

  void app.register(
    async (graph) => {
      graph.addHook('onRequest', async (request, reply) => {
        const { version } = request.params as { version?: string };
        if (!version || !versionPattern.test(version)) {
          return sendGraphError(reply, state, {
            httpStatus: 400,
            code: 100,
            message: `Unknown API version '${version ?? ''}'.`,
          });
        }
        return faults.apply(request, reply);
      });
      messageRoutes(graph, context);
      mediaUploadRoutes(graph, context);
      templateRoutes(graph, context);
      objectRoutes(graph, context);
    },
    { prefix: '/:version' },
  );
  mediaDownloadRoutes(app, context);

  return app;
}
