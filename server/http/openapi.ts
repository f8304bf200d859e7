import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import { appRouter } from '../trpc/router.ts';
import { restTags } from '../trpc/rest.ts';
import { webhookEventTypes } from '../domains/outboundWebhooks/schemas.ts';
import { toleranceSeconds } from '../domains/outboundWebhooks/signature.ts';

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
Lists page with cursors, described on each list.

## Outbound webhooks

Register endpoints under *Outbound webhooks* (admin). Each event is POSTed as JSON
\`{"id", "type", "createdAt", "data"}\` (the \`webhooks\` section of this document lists every event) with
the header \`Parley-Signature: t=<unix seconds>,v1=<hex>\`, where \`v1\` is the HMAC-SHA256, keyed with the
endpoint's secret (\`whsec_…\`, shown once when the endpoint is created), of \`<t>.<raw body>\`. To verify:
recompute it over the raw bytes, compare in constant time, and refuse a \`t\` more than ${toleranceSeconds} seconds
from your clock, so a captured request cannot be replayed later; deduplicate on \`id\` (a replay from the
delivery log keeps it). Answer 2xx within 10 seconds: anything else is retried with exponential backoff
(about 6 hours), and an endpoint that fails for 24 hours is disabled and the workspace's admins told.`;

/** The payload of each outbound webhook event (sql/functions/95-outbound-webhooks.sql builds them). */
const eventData: Record<
  (typeof webhookEventTypes)[number],
  { summary: string; properties: Record<string, unknown> }
> = {
  'message.received': {
    summary: 'A customer sent a message.',
    properties: {
      messageId: { type: 'string' },
      wamid: { type: 'string' },
      conversationId: { type: 'string' },
      contactId: { type: 'string' },
      from: { type: ['string', 'null'], description: "The customer's WhatsApp number (digits)." },
      type: { type: 'string', description: "Meta's message type (text, image, …)." },
      text: { type: ['string', 'null'] },
      content: { type: 'object', description: 'The message as Meta sent it.' },
      occurredAt: { type: 'string', format: 'date-time' },
    },
  },
  'message.status': {
    summary: 'An outbound message was sent, delivered, read, played or failed.',
    properties: {
      messageId: { type: 'string' },
      wamid: { type: ['string', 'null'] },
      conversationId: { type: 'string' },
      status: { type: 'string', enum: ['sent', 'delivered', 'read', 'played', 'failed'] },
      error: { description: "Meta's error, for a failed message." },
    },
  },
  'conversation.assigned': {
    summary: 'A conversation got another assignee or team (both null: unassigned).',
    properties: {
      conversationId: { type: 'string' },
      contactId: { type: 'string' },
      assignedUserId: { type: ['string', 'null'] },
      assignedTeamId: { type: ['string', 'null'] },
    },
  },
  'conversation.resolved': {
    summary: 'A conversation was resolved.',
    properties: {
      conversationId: { type: 'string' },
      contactId: { type: 'string' },
      resolvedBy: { type: ['string', 'null'], description: 'The member, when one did it.' },
    },
  },
  'contact.created': {
    summary: 'A contact was added (by a customer writing, a member, an import or the API).',
    properties: {
      contactId: { type: 'string' },
      waId: { type: ['string', 'null'] },
      bsuid: { type: ['string', 'null'] },
      name: { type: ['string', 'null'] },
    },
  },
  'campaign.finished': {
    summary: 'A campaign completed, was cancelled or failed.',
    properties: {
      campaignId: { type: 'string' },
      name: { type: 'string' },
      status: { type: 'string', enum: ['completed', 'cancelled', 'failed'] },
      recipientCount: { type: 'integer' },
      finishedAt: { type: 'string', format: 'date-time' },
    },
  },
};

/** OpenAPI 3.1 `webhooks`: what Parley POSTs to a registered endpoint for each event. */
function outboundWebhooks(): Record<string, unknown> {
  return Object.fromEntries(
    webhookEventTypes.map((type) => [
      type,
      {
        post: {
          operationId: `webhook-${type.replace('.', '-')}`,
          summary: eventData[type].summary,
          tags: ['Outbound webhooks'],
          parameters: [
            {
              name: 'Parley-Signature',
              in: 'header',
              required: true,
              description: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<raw body>" keyed with the endpoint's secret>. Refuse a t more than ${toleranceSeconds} s away.`,
              schema: { type: 'string', pattern: '^t=\\d+,v1=[0-9a-f]{64}$' },
            },
            {
              name: 'Parley-Event-Type',
              in: 'header',
              required: true,
              schema: { type: 'string', const: type },
            },
            { name: 'Parley-Delivery-Id', in: 'header', required: true, schema: { type: 'string' } },
          ],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  required: ['id', 'type', 'createdAt', 'data'],
                  properties: {
                    id: { type: 'string', description: 'The event id: the same in a replayed delivery.' },
                    type: { type: 'string', const: type },
                    createdAt: { type: 'string', format: 'date-time' },
                    data: { type: 'object', properties: eventData[type].properties },
                  },
                },
              },
            },
          },
          responses: {
            '200': {
              description: 'Any 2xx within 10 s acknowledges the delivery; anything else is retried.',
            },
          },
        },
      },
    ]),
  );
}

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
  (document as { webhooks?: Record<string, unknown> }).webhooks = outboundWebhooks();
  return document;
}
