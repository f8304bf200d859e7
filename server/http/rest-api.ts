import { createRequire } from 'node:module';
import scalar from '@scalar/fastify-api-reference';
import { TRPCError } from '@trpc/server';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { fastifyTRPCOpenApiPlugin, type CreateOpenApiFastifyPluginOptions } from 'trpc-to-openapi';
import type { AppServices } from '../app-services.ts';
import { toTRPCError } from '../db/errors.ts';
import { unavailableRetryAfterSeconds } from '../db/unavailable.ts';
import { memorySessionCookies } from '../domains/auth/sessions.ts';
import { createContextInner, resolveIdentity, type Context } from '../trpc/context.ts';
import { appRouter } from '../trpc/router.ts';
import { buildOpenApiDocument, restBasePath } from './openapi.ts';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

const statusCodes: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_SUPPORTED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

interface RestError {
  error: { code: string; message: string; fields?: Record<string, string[]>; requestId: string };
}

/**
 * What trpc-to-openapi answers on failure (tRPC's error shape, built by init.ts's errorFormatter,
 * plus its own `message: "Input validation failed"` and zod's raw `issues`) rewritten into the one
 * documented shape: the readable sentences the formatter made, never zod's wording.
 */
function restError(
  body: unknown,
  statusCode: number,
  request: { id: string; method: string; url: string },
): RestError {
  const requestId = request.id;
  const shape = (body ?? {}) as {
    message?: string;
    code?: string;
    data?: { zodError?: { formErrors: string[]; fieldErrors: Record<string, string[]> } | null };
  };
  const code =
    typeof shape.code === 'string' ? shape.code : (statusCodes[statusCode] ?? 'INTERNAL_SERVER_ERROR');
  const invalid = shape.data?.zodError;
  if (invalid) {
    const sentences = [...invalid.formErrors, ...Object.values(invalid.fieldErrors).flat()];
    return {
      error: {
        code,
        message: [...new Set(sentences)].join(' ') || 'The input is not valid.',
        fields: invalid.fieldErrors,
        requestId,
      },
    };
  }
  const message =
    statusCode >= 500 && statusCode !== 503
      ? 'Internal server error'
      : code === 'PARSE_ERROR'
        ? 'The request body is not valid JSON.'
        : code === 'NOT_FOUND' && shape.message === 'Not found'
          ? `No such endpoint: ${request.method} ${request.url.split('?')[0] ?? ''} (see /api/openapi.json).`
          : (shape.message ?? 'The request failed.');
  return { error: { code, message, requestId } };
}

/** Only API keys: a browser's session cookie never authorizes a REST call (no CSRF surface). */
function restContext(services: AppServices) {
  return async ({ req }: { req: unknown }): Promise<Context> => {
    const request = req as FastifyRequest;
    const authorization = request.headers.authorization;
    if (!authorization) {
      throw new TRPCError({
        code: 'UNAUTHORIZED',
        message: 'Send an API key: Authorization: Bearer pk_… (create one under Settings → API keys).',
      });
    }
    const identity = await resolveIdentity(services, authorization, memorySessionCookies()).catch(
      (error: unknown) => {
        throw toTRPCError(error) ?? error;
      },
    );
    return {
      ...createContextInner(services, { requestId: request.id, ip: request.ip }),
      ...identity,
      logger: request.log.child({ tenantId: identity.apiKey?.tenantId }),
      userAgent: request.headers['user-agent'],
    };
  };
}

/**
 * The REST mirror of the integrator procedures (their `rest(…)` meta) under /api/v1, its OpenAPI 3.1
 * document at /api/openapi.json and interactive docs at /api/docs (Scalar, its script served from
 * here: no CDN). The same procedures run, with the same zod schemas, roles and API key scopes.
 */
export async function restApi(app: FastifyInstance, options: { services: AppServices }): Promise<void> {
  const document = buildOpenApiDocument(version);
  app.get('/api/openapi.json', () => document);

  await app.register(scalar, {
    routePrefix: '/api/docs',
    logLevel: 'warn',
    configuration: {
      url: '/api/openapi.json',
      pageTitle: 'Parley API',
      withDefaultFonts: false,
      hideClientButton: true,
      // Nothing leaves the machine: no telemetry, AI agent, MCP or SDK/deploy offers.
      telemetry: false,
      showDeveloperTools: 'never',
      agent: { disabled: true },
      mcp: { disabled: true },
      authentication: { preferredSecurityScheme: 'apiKey' },
    },
  });

  await app.register(async (v1) => {
    // Fastify's own refusals (unparsable JSON, body too large) in the same shape.
    v1.setErrorHandler((error: { statusCode?: number; message?: string }, request, reply) => {
      const statusCode = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
      if (statusCode >= 500) request.log.error({ err: error }, 'REST request failed');
      const code = statusCode === 400 ? 'PARSE_ERROR' : (statusCodes[statusCode] ?? 'INTERNAL_SERVER_ERROR');
      return reply.code(statusCode).send(restError({ code, message: error.message }, statusCode, request));
    });
    v1.addHook('onSend', async (request, reply, payload) => {
      if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
      let body: unknown;
      try {
        body = JSON.parse(payload);
      } catch {
        body = undefined;
      }
      if ((body as Partial<RestError> | undefined)?.error) return payload; // already ours
      return JSON.stringify(restError(body, reply.statusCode, request));
    });
    // An action with nothing to send (POST …/pause, …/retry) is a JSON body with no fields; the adapter
    // would refuse it (415) for lacking a content type. Set after parsing, so nothing parses an empty body.
    v1.addHook('preHandler', async (request) => {
      if (request.body === undefined && request.headers['content-type'] === undefined) {
        request.headers['content-type'] = 'application/json';
      }
    });
    await v1.register(fastifyTRPCOpenApiPlugin, {
      basePath: restBasePath,
      router: appRouter,
      createContext: restContext(options.services),
      onError({ error, path, req }) {
        if (error.code === 'INTERNAL_SERVER_ERROR') {
          (req as unknown as FastifyRequest).log.error(
            { err: error.cause ?? error, path },
            'procedure failed',
          );
        }
      },
      responseMeta: ({ errors }) =>
        errors.some((error) => error.code === 'SERVICE_UNAVAILABLE')
          ? { headers: { 'retry-after': String(unavailableRetryAfterSeconds) } }
          : {},
    } satisfies CreateOpenApiFastifyPluginOptions<typeof appRouter>);
  });
}
