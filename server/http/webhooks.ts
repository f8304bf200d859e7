import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { DeliveryWriter } from '../domains/webhooks/ingest/delivery-writer.ts';
import { verifyTokenMatches, type WebhookSecretCache } from '../domains/webhooks/ingest/secrets.ts';
import type { Logger } from '../logger.ts';
import { verifyWebhookSignature } from '../whatsapp/signature.ts';
import { mark } from '../observability/latency-trace.ts';

/** Meta's payloads stay far below this; anything larger is refused with 413 before it is read in full. */
export const webhookBodyLimit = 3 * 1024 * 1024;

// Any string: a key of the wrong shape gets the same answer as an unknown one (never a 500).
const paramsSchema = z.object({ appKey: z.string() });
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Whether a signed body is JSON text Meta could have sent (valid UTF-8, parses). */
function isJson(body: Buffer): boolean {
  try {
    JSON.parse(strictUtf8.decode(body));
    return true;
  } catch {
    return false;
  }
}
const verifyQuery = z.object({
  'hub.mode': z.string().optional(),
  'hub.verify_token': z.string().optional(),
  'hub.challenge': z.string().max(200).optional(),
});

export interface WebhookRouteOptions {
  secrets: WebhookSecretCache;
  writer: DeliveryWriter;
}

export interface WebhookPost {
  appKey: string;
  /** The raw bytes, as Meta signed them. */
  body: Buffer;
  /** The X-Hub-Signature-256 header. */
  signature: string | undefined;
  requestId: string;
  log: Pick<Logger, 'warn'>;
}

export interface WebhookAnswer {
  statusCode: number;
  contentType: string;
  body: string;
}

const unauthorized: WebhookAnswer = {
  statusCode: 401,
  contentType: 'application/json; charset=utf-8',
  body: JSON.stringify({
    statusCode: 401,
    error: 'Unauthorized',
    message: 'Invalid or missing X-Hub-Signature-256.',
  }),
};
const received: WebhookAnswer = { statusCode: 200, contentType: 'text/plain', body: 'EVENT_RECEIVED' };

/**
 * A webhook POST, whichever HTTP path received it (the Fastify route, or the fast path in front of
 * Fastify, server/http/webhook-fast-path.ts): verifies X-Hub-Signature-256 over the raw bytes before
 * anything is parsed, stores the delivery and its processing job (group-committed), and answers 200
 * only after that commit. Throws when the database fails: the caller answers 503/500 (Meta retries).
 */
export async function receiveWebhook(
  options: WebhookRouteOptions,
  post: WebhookPost,
): Promise<WebhookAnswer> {
  const { appKey, body } = post;
  mark('ingest.received', { appKey });
  const secrets = await options.secrets.get(appKey);
  if (!secrets || !verifyWebhookSignature(secrets.appSecret, body, post.signature)) {
    // Same answer for an unknown app key and a bad signature: nothing about channels is revealed.
    post.log.warn(
      { appKey },
      'webhook refused: bad or missing X-Hub-Signature-256 (does the app secret match Meta’s?)',
    );
    return unauthorized;
  }
  // Stored byte-exact (it must still match its signature); invalid UTF-8 or JSON is kept for the log.
  const parsed = isJson(body);
  const deliveryId = await options.writer.store({ appKey, body, parsed, requestId: post.requestId });
  mark('ingest.acked', { appKey, deliveryId });
  if (!parsed)
    post.log.warn(
      { deliveryId },
      'signed webhook with a body that is not UTF-8 JSON: stored as invalid_json',
    );
  return received;
}

/**
 * Meta's webhook endpoint. POST verifies X-Hub-Signature-256 over the raw bytes before anything is
 * parsed, stores the delivery and its processing job in one transaction (group-committed), and answers
 * 200 only after that commit. It never processes: if workers are down, deliveries wait in the queue.
 * An encapsulated plugin: its raw-body parser does not reach the rest of the app.
 */
export async function webhookRoutes(app: FastifyInstance, options: WebhookRouteOptions): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: webhookBodyLimit }, (_request, body, done) =>
    done(null, body),
  );

  app.get('/webhooks/whatsapp/:appKey', async (request, reply) => {
    const { appKey } = paramsSchema.parse(request.params);
    const query = verifyQuery.safeParse(request.query);
    const secrets = await options.secrets.get(appKey);
    const token = query.success ? query.data['hub.verify_token'] : undefined;
    if (
      !secrets ||
      !query.success ||
      query.data['hub.mode'] !== 'subscribe' ||
      token === undefined ||
      !verifyTokenMatches(secrets, token)
    ) {
      return reply.code(403).send({
        statusCode: 403,
        error: 'Forbidden',
        message: 'Verification failed: check the verify token.',
      });
    }
    return reply.type('text/plain').send(query.data['hub.challenge'] ?? '');
  });

  app.post(
    '/webhooks/whatsapp/:appKey',
    { bodyLimit: webhookBodyLimit, logLevel: 'warn' },
    async (request, reply) => {
      const { appKey } = paramsSchema.parse(request.params);
      const signature = request.headers['x-hub-signature-256'];
      const answer = await receiveWebhook(options, {
        appKey,
        body: Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0),
        signature: typeof signature === 'string' ? signature : undefined,
        requestId: request.id,
        log: request.log,
      });
      return reply.code(answer.statusCode).type(answer.contentType).send(answer.body);
    },
  );
}
