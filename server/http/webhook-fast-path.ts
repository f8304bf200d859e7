import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RejectedSignatures } from '../domains/webhooks/ingest/rejections.ts';
import { isDatabaseUnavailable, unavailableRetryAfterSeconds } from '../db/unavailable.ts';
import type { Logger } from '../logger.ts';
import { webhookIngestDuration } from '../observability/metrics.ts';
import {
  receiveWebhook,
  webhookBodyLimit,
  type WebhookAnswer,
  type WebhookRouteOptions,
} from './webhooks.ts';

const prefix = '/webhooks/whatsapp/';
/** The Fastify router's limit (routerOptions.maxParamLength): longer keys go to Fastify, which answers 404. */
const maxAppKeyLength = 500;

export interface WebhookFastPathOptions extends WebhookRouteOptions {
  logger: Logger;
  rejections: RejectedSignatures;
  /** The request id Fastify would give this request (buildApp's genReqId). */
  requestId: (request: IncomingMessage) => string;
  /** True once the app is closing: requests then go to Fastify, which answers 503. */
  closing: () => boolean;
}

/**
 * Meta's webhook POSTs, answered in front of Fastify. Per request, Fastify's request and reply
 * objects, router, hook chain and content-type parser cost about half again the CPU of Node's own
 * HTTP handling (measured: 72 against 48 µs per request for the same bare route), and webhook ingest
 * is the one path whose rate is the product. The work itself is the Fastify route's
 * (receiveWebhook), so both paths answer alike; `app.inject` and everything else still go through
 * Fastify. Returns false for any request it does not take, which the caller hands to Fastify.
 */
export function webhookFastPath(
  options: WebhookFastPathOptions,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  return (request, response) => {
    const url = request.url;
    if (request.method !== 'POST' || url === undefined || !url.startsWith(prefix)) return false;
    const query = url.indexOf('?', prefix.length);
    const rawKey = url.slice(prefix.length, query < 0 ? undefined : query);
    if (rawKey.length === 0 || rawKey.length > maxAppKeyLength || rawKey.includes('/') || options.closing())
      return false;
    let appKey: string;
    try {
      appKey = rawKey.includes('%') ? decodeURIComponent(rawKey) : rawKey;
    } catch {
      return false; // Fastify answers a malformed escape
    }
    const started = performance.now();
    const requestId = options.requestId(request);
    // The request's logger is made only if it logs (rarely: refusals, failures).
    let child: Logger | undefined;
    const requestLog = () => (child ??= options.logger.child({ reqId: requestId }));
    const log: Pick<Logger, 'warn'> = {
      warn: (...args: Parameters<Logger['warn']>) => requestLog().warn(...args),
    };
    const answer = (result: WebhookAnswer, extra?: Record<string, string>) => {
      webhookIngestDuration.observe((performance.now() - started) / 1000);
      response.writeHead(result.statusCode, {
        'content-type': result.contentType,
        'content-length': Buffer.byteLength(result.body),
        'x-request-id': requestId,
        ...extra,
      });
      response.end(result.body);
    };

    if (Number(request.headers['content-length']) > webhookBodyLimit) {
      answer(tooLarge, { connection: 'close' });
      return true;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > webhookBodyLimit) {
        request.off('data', onData);
        request.off('end', onEnd);
        answer(tooLarge, { connection: 'close' });
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      const signature = request.headers['x-hub-signature-256'];
      receiveWebhook(options, {
        appKey,
        body: chunks.length === 1 && chunks[0] ? chunks[0] : Buffer.concat(chunks, size),
        signature: typeof signature === 'string' ? signature : undefined,
        requestId,
        log,
      }).then(
        (result) => {
          if (result.statusCode === 401) options.rejections.add(appKey);
          answer(result);
        },
        (error: unknown) => {
          if (isDatabaseUnavailable(error)) {
            requestLog().warn({ err: error }, 'database unavailable: answered 503');
            answer(unavailable(requestId), { 'retry-after': String(unavailableRetryAfterSeconds) });
          } else {
            requestLog().error({ err: error }, 'request failed');
            answer(failed(requestId));
          }
        },
      );
    };
    request.on('data', onData);
    request.on('end', onEnd);
    // A client that goes away mid-body gets no answer and stores nothing.
    request.on('error', () => request.off('end', onEnd));
    return true;
  };
}

const json = 'application/json; charset=utf-8';
/** As Fastify's body limit answers through the app's error handler. */
const tooLarge: WebhookAnswer = {
  statusCode: 413,
  contentType: json,
  body: JSON.stringify({
    statusCode: 413,
    error: 'FST_ERR_CTP_BODY_TOO_LARGE',
    message: 'Request body is too large',
  }),
};
const unavailable = (requestId: string): WebhookAnswer => ({
  statusCode: 503,
  contentType: json,
  body: JSON.stringify({
    statusCode: 503,
    error: 'Service Unavailable',
    message: 'The database is unavailable for a moment; retry shortly.',
    requestId,
  }),
});
const failed = (requestId: string): WebhookAnswer => ({
  statusCode: 500,
  contentType: json,
  body: JSON.stringify({ statusCode: 500, error: 'Internal Server Error', requestId }),
});
