import { createHmac } from 'node:crypto';
import { signWebhookBody } from '../signature.ts';
import type { WebhookRetry, WebhookTarget } from './options.ts';
import type { Scheduler } from './scheduler.ts';

/**
 * Delivers webhooks like Meta: a signed POST per body, retried with growing delays while the receiver
 * fails (Meta keeps trying for up to 7 days; the simulator compresses that into `retry`). Every
 * delivery and attempt is logged for assertions.
 */

export interface WebhookAttempt {
  at: number;
  status?: number;
  error?: string;
}

export interface WebhookDeliveryRecord {
  id: number;
  kind: string;
  wabaId: string;
  url: string | undefined;
  /** The exact bytes sent (and signed). */
  body: string;
  signature: string | undefined;
  state: 'pending' | 'delivered' | 'failed' | 'no-target';
  attempts: WebhookAttempt[];
}

interface Job {
  record: WebhookDeliveryRecord;
  target: WebhookTarget;
  bytes: Buffer;
  settle: (record: WebhookDeliveryRecord) => void;
}

export function createWebhookDispatcher(options: {
  scheduler: Scheduler;
  retry: WebhookRetry;
  concurrency: number;
  now: () => number;
  /** How POSTs leave; the sandbox inside Parley hands them to its own app without a network hop. */
  fetch?: typeof fetch;
}) {
  const send = options.fetch ?? fetch;
  const { scheduler, retry } = options;
  const log: WebhookDeliveryRecord[] = [];
  const queue: Job[] = [];
  const retrying = new Set<Job>();
  let inFlight = 0;
  let nextId = 1;

  function pump() {
    while (inFlight < options.concurrency && queue.length > 0 && !scheduler.closed) {
      const job = queue.shift()!;
      inFlight += 1;
      void scheduler.track(
        attempt(job).finally(() => {
          inFlight -= 1;
          pump();
        }),
      );
    }
  }

  async function attempt(job: Job): Promise<void> {
    const { record, target, bytes } = job;
    const result: WebhookAttempt = { at: options.now() };
    try {
      const response = await send(target.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          'x-hub-signature-256': record.signature!,
          // Meta still sends the legacy SHA-1 signature next to the SHA-256 one.
          'x-hub-signature': `sha1=${createHmac('sha1', target.appSecret).update(bytes).digest('hex')}`,
        },
        body: new Uint8Array(bytes),
        signal: AbortSignal.timeout(retry.timeoutMs),
      });
      await response.arrayBuffer();
      result.status = response.status;
    } catch (error) {
      result.error =
        error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : 'error';
    }
    record.attempts.push(result);
    if (result.status !== undefined && result.status >= 200 && result.status < 300) {
      record.state = 'delivered';
      job.settle(record);
    } else if (record.attempts.length >= retry.maxAttempts || scheduler.closed) {
      record.state = 'failed';
      job.settle(record);
    } else {
      const delay = Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (record.attempts.length - 1));
      retrying.add(job);
      scheduler.after(delay, () => {
        retrying.delete(job);
        queue.push(job);
        pump();
      });
    }
  }

  return {
    /** Queues one webhook; the promise settles once it is delivered or given up. */
    send(
      target: WebhookTarget | undefined,
      body: string,
      meta: { kind: string; wabaId: string },
    ): { record: WebhookDeliveryRecord; settled: Promise<WebhookDeliveryRecord> } {
      const bytes = Buffer.from(body, 'utf8');
      const record: WebhookDeliveryRecord = {
        id: nextId++,
        kind: meta.kind,
        wabaId: meta.wabaId,
        url: target?.url,
        body,
        signature: target ? signWebhookBody(target.appSecret, bytes) : undefined,
        state: target ? 'pending' : 'no-target',
        attempts: [],
      };
      log.push(record);
      if (!target) return { record, settled: Promise.resolve(record) };
      const settled = new Promise<WebhookDeliveryRecord>((settle) => {
        queue.push({ record, target, bytes, settle });
      });
      pump();
      return { record, settled };
    },

    log: (): readonly WebhookDeliveryRecord[] => log,

    /** Gives up on everything not yet delivered (call after closing the scheduler). */
    close(): void {
      for (const job of [...queue.splice(0), ...retrying]) {
        job.record.state = 'failed';
        job.settle(job.record);
      }
      retrying.clear();
    },
  };
}

export type WebhookDispatcher = ReturnType<typeof createWebhookDispatcher>;
