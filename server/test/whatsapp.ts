import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { verifyWebhookSignature } from '../whatsapp/signature.ts';

/** Test helpers for the WhatsApp modules: Meta fixtures and a webhook receiver that checks signatures. */

/**
 * Meta payloads (see its README.md): a copy of the workspace's shared fixtures, kept in the repository
 * so `npm test` works on any machine. Add new cases beside them.
 */
export const fixturesDir =
  process.env.WHATSAPP_FIXTURES_DIR ?? fileURLToPath(new URL('./fixtures/whatsapp/', import.meta.url));

export function fixtureBytes(relative: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir, relative));
}

export function fixture<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(fixtureBytes(relative).toString('utf8')) as T;
}

export function fixtureNames(folder: string): string[] {
  return fs
    .readdirSync(path.join(fixturesDir, folder))
    .filter((name) => name.endsWith('.json'))
    .sort();
}

export interface ReceivedWebhook {
  raw: Buffer;
  body: WebhookBody;
  signature: string | undefined;
}

/** Loose view of a webhook body, enough to route and assert on. */
export interface WebhookBody {
  object: string;
  entry: {
    id: string;
    time?: number;
    changes: {
      field: string;
      value: Record<string, unknown> & { statuses?: StatusBody[]; messages?: unknown[] };
    }[];
  }[];
}

export interface StatusBody {
  id: string;
  status: string;
  timestamp: string;
  recipient_id: string;
  pricing?: Record<string, unknown>;
  conversation?: Record<string, unknown>;
  errors?: Record<string, unknown>[];
}

/**
 * A stand-in for Parley's webhook route on 127.0.0.1:0: verifies X-Hub-Signature-256 over the raw bytes
 * with verifyWebhookSignature (401 when wrong), keeps what it accepted, and can be told to fail.
 */
export async function startWebhookReceiver(appSecret: string) {
  const app = Fastify({ logger: false });
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) =>
    done(null, body),
  );
  const received: ReceivedWebhook[] = [];
  let rejected = 0;
  let failuresLeft = 0;
  let listeners: (() => void)[] = [];

  app.post('/webhook', async (request, reply) => {
    const raw = request.body as Buffer;
    const signature = request.headers['x-hub-signature-256'];
    const header = typeof signature === 'string' ? signature : undefined;
    if (!verifyWebhookSignature(appSecret, raw, header)) {
      rejected += 1;
      return reply.code(401).send();
    }
    if (failuresLeft > 0) {
      failuresLeft -= 1;
      return reply.code(503).send();
    }
    received.push({ raw, body: JSON.parse(raw.toString('utf8')) as WebhookBody, signature: header });
    const notify = listeners;
    listeners = [];
    for (const listener of notify) listener();
    return reply.code(200).send();
  });

  const address = await app.listen({ port: 0, host: '127.0.0.1' });

  return {
    url: `${address}/webhook`,
    received,
    rejected: () => rejected,
    /** The next `count` correctly signed deliveries get a 503. */
    failNext(count: number) {
      failuresLeft = count;
    },
    /** Resolves with the first result of `check` that is not undefined, re-checked on every delivery. */
    async waitFor<T>(check: (received: ReceivedWebhook[]) => T | undefined, timeoutMs = 5_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = check(received);
        if (result !== undefined) return result;
        const remaining = deadline - Date.now();
        if (remaining <= 0) throw new Error(`Webhook receiver: condition not met within ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, remaining);
          listeners.push(() => {
            clearTimeout(timer);
            resolve();
          });
        });
      }
    },
    close: () => app.close(),
  };
}

export type WebhookReceiver = Awaited<ReturnType<typeof startWebhookReceiver>>;

/** Every status object received so far for `wamid`, in arrival order. */
export function statusesOf(received: ReceivedWebhook[], wamid: string): StatusBody[] {
  return received.flatMap((webhook) =>
    webhook.body.entry.flatMap((entry) =>
      entry.changes.flatMap((change) =>
        (change.value.statuses ?? []).filter((status) => status.id === wamid),
      ),
    ),
  );
}

/** A local URL nobody listens on (a port just released), for connection-refused cases. */
export async function unusedLocalUrl(): Promise<string> {
  const server = Fastify({ logger: false });
  const address = await server.listen({ port: 0, host: '127.0.0.1' });
  await server.close();
  return address;
}
