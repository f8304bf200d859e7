import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics that code paths record as they go (one registry per process: prom-client's
 * metrics are process-wide by nature). What is read from the database or the app at scrape time
 * (queue depths, lags, subscribers) is collected by server/http/metrics.ts.
 */
export const processRegistry = new Registry();

/** Request latency by route (Fastify's route pattern, never the raw URL: bounded label values). */
export const httpDuration = new Histogram({
  name: 'parley_http_request_duration_seconds',
  help: 'Time to answer an HTTP request handled by Fastify, by method, route pattern and status.',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [processRegistry],
});

/**
 * Webhook ingest: from the request's arrival to Meta's answer (durable: after the group commit).
 * No labels, so recording is one observe of a number on the fast path.
 */
export const webhookIngestDuration = new Histogram({
  name: 'parley_webhook_ingest_duration_seconds',
  help: "Time from a Meta webhook POST's arrival to its answer (after the delivery is committed).",
  buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  registers: [processRegistry],
});

export const messagesSent = new Counter({
  name: 'parley_messages_sent_total',
  help: 'Messages Meta accepted (a wamid came back), per business phone number id.',
  labelNames: ['phone_number_id'] as const,
  registers: [processRegistry],
});

export const graphErrors = new Counter({
  name: 'parley_graph_send_errors_total',
  help: "Graph API errors answering sends, per business phone number id and Meta's error code.",
  labelNames: ['phone_number_id', 'code'] as const,
  registers: [processRegistry],
});
