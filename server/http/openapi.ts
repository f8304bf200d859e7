import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from '../trpc/router.ts';
import { restTags } from '../trpc/rest.ts';

export const restBasePath = '/api/v1';

/** Error codes the REST mirror answers with (tRPC's codes; the HTTP status says the same). */
const errorCodes = [
  'BAD_REQUEST',
  'PARSE_ERROR',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'METHOD_NOT_SUPPORTED',
  'CONFLICT',
  'PRECONDITION_FAILED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'UNPROCESSABLE_CONTENT',
  'TOO_MANY_REQUESTS',
  'INTERNAL_SERVER_ERROR',
  'SERVICE_UNAVAILABLE',
];

/** The one error shape of the REST mirror (see rest-api.ts, which produces it). */
type SchemaObject = NonNullable<NonNullable<OpenAPIObject['components']>['schemas']>[string];

export const errorSchema: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: errorCodes,
          description: 'What kind of error; the HTTP status agrees.',
        },
        message: {
          type: 'string',
          description: 'A sentence saying what to fix, for a person to read.',
          example: 'Conversation id must be a UUID.',
        },
        fields: {
          type: 'object',
          description: 'For invalid input: the sentences per input field.',
          additionalProperties: { type: 'array', items: { type: 'string' } },
        },
        requestId: {
          type: 'string',
          description: 'Quote it when asking for help: the logs are keyed by it.',
        },
      },
    },
  },
};

const description = `Every integrator procedure of Parley's tRPC API, as REST. Authenticate with an API key
(Settings → API keys) sent as \`Authorization: Bearer pk_…\`; its scopes decide what it may do
(read → viewer, write → agent, manage → admin). A key only ever reaches its own workspace.

Errors always have the shape of \`Error\` (\`{"error": {"code", "message", "fields"?, "requestId"?}}\`).
Lists page with cursors, described on each list.`;

/** The OpenAPI 3.1 document of the REST mirror, generated from the procedures' zod schemas. */
export function buildOpenApiDocument(version: string): OpenAPIObject {
  const document = generateOpenApiDocument(appRouter, {
    title: 'Parley API',
    description,
    version,
    openApiVersion: '3.1.0',
    baseUrl: restBasePath,
    tags: [...restTags],
    securitySchemes: {
      apiKey: {
        type: 'http',
        scheme: 'bearer',
        description: 'An API key of the workspace: `Authorization: Bearer pk_…`.',
      },
    },
  });
  document.components ??= {};
  // The generator's own error schemas (with zod's raw `issues`) give way to the one shape answered.
  const generated = Object.entries(document.components.schemas ?? {}).filter(
    ([name]) => !name.startsWith('error.'),
  );
  document.components.schemas = { ...Object.fromEntries(generated), Error: errorSchema };
  // One error shape for every failure answer, instead of the generator's own per code.
  for (const item of Object.values(document.paths ?? {})) {
    for (const operation of Object.values(item as Record<string, { responses?: Record<string, unknown> }>)) {
      for (const [status, response] of Object.entries(operation.responses ?? {})) {
        if (Number(status) < 400) continue;
        const text = (response as { description?: string }).description ?? 'Error';
        operation.responses![status] = {
          description: text,
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        };
      }
    }
  }
  return document;
}
