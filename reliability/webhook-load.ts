// Signed webhook load as Meta sends it: each message a delivery of its own (a unique wamid), POSTed
// until it gets a 200 — a 503, a reset or a refused connection is retried after a short pause, as Meta
// retries. What got a 200 is "acknowledged": Parley promised to keep it.
import http from 'node:http';
import { signWebhookBody } from '../server/whatsapp/signature.ts';
import { sleep } from './harness.ts';

export interface LoadChannel {
  appKey: string;
  appSecret: string;
  wabaId: string;
  phoneNumberId: string;
  displayPhoneNumber: string;
}

export function textDelivery(channel: LoadChannel, wamid: string, from: string, text: string): string {
  return JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: channel.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: channel.displayPhoneNumber,
                phone_number_id: channel.phoneNumberId,
              },
              contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
              messages: [
                {
                  from,
                  id: wamid,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: text },
                },
              ],
            },
          },
        ],
      },
    ],
  });
}

export class WebhookLoad {
  readonly acknowledged = new Set<string>();
  readonly sent = new Set<string>();
  attempts = 0;
  readonly statuses: Record<string, number> = {};
  /** Statuses seen while `phase` was set (e.g. 'outage'), for "webhooks get 503 during the outage". */
  readonly statusesByPhase: Record<string, Record<string, number>> = {};
  phase = 'normal';
  private stopping = false;
  private stopDraining = false;
  private running: Promise<void>[] = [];
  private next = 0;
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

  private readonly url: string;
  private readonly channels: LoadChannel[];
  private readonly options: { concurrency: number; prefix: string; pauseMs?: number };

  constructor(
    url: string,
    channels: LoadChannel[],
    options: { concurrency: number; prefix: string; pauseMs?: number },
  ) {
    this.url = url;
    this.channels = channels;
    this.options = options;
  }

  start(): void {
    this.running = Array.from({ length: this.options.concurrency }, () => this.worker());
  }

  /** Stops taking new messages; those begun are retried until acknowledged (or `drainMs` passes). */
  async stop(drainMs = 60_000): Promise<void> {
    this.stopping = true;
    const drained = Promise.all(this.running);
    await Promise.race([drained, sleep(drainMs)]);
    this.stopDraining = true;
    await drained;
    this.agent.destroy();
  }

  private async worker(): Promise<void> {
    while (!this.stopping) {
      const index = this.next++;
      const channel = this.channels[index % this.channels.length];
      if (!channel) return;
      const wamid = `wamid.${this.options.prefix}-${index}`;
      const body = textDelivery(channel, wamid, `1555${String(2000000 + (index % 40))}`, `message ${index}`);
      const signature = signWebhookBody(channel.appSecret, body);
      this.sent.add(wamid);
      for (;;) {
        const status = await this.post(channel.appKey, body, signature);
        this.attempts++;
        this.statuses[status] = (this.statuses[status] ?? 0) + 1;
        const phase = (this.statusesByPhase[this.phase] ??= {});
        phase[status] = (phase[status] ?? 0) + 1;
        if (status === 200) {
          this.acknowledged.add(wamid);
          break;
        }
        if (this.stopDraining) break;
        await sleep(this.options.pauseMs ?? 200);
      }
    }
  }

  /** The HTTP status, or 0 when the connection failed (refused, reset, timed out). */
  private post(appKey: string, body: string, signature: string): Promise<number> {
    return new Promise((resolve) => {
      const request = http.request(
        `${this.url}/webhooks/whatsapp/${appKey}`,
        {
          method: 'POST',
          agent: this.agent,
          timeout: 10_000,
          headers: {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(body),
            'x-hub-signature-256': signature,
          },
        },
        (response) => {
          response.resume();
          response.on('end', () => resolve(response.statusCode ?? 0));
          response.on('error', () => resolve(0));
        },
      );
      request.on('timeout', () => request.destroy(new Error('timeout')));
      request.on('error', () => resolve(0));
      request.end(body);
    });
  }
}

/**
 * What the database holds for the acknowledged wamids: stored (a delivery carries it), processed (one
 * message row), duplicates (more than one row), lost (acknowledged, no message).
 */
export const accountingQuery = `
  with acked as (select unnest($1::text[]) as wamid),
  stored as (
    select distinct (convert_from(body, 'UTF8')::jsonb #>> '{entry,0,changes,0,value,messages,0,id}') as wamid
    from app_private.webhook_deliveries
  ),
  processed as (
    select wamid, count(*)::int as copies from app_public.messages where wamid = any($1::text[]) group by wamid
  )
  select
    (select count(*)::int from acked join stored using (wamid)) as stored,
    (select count(*)::int from processed) as processed,
    (select coalesce(sum(copies - 1), 0)::int from processed where copies > 1) as duplicates,
    (select count(*)::int from acked where wamid not in (select wamid from processed)) as lost,
    (select count(*)::int from app_private.webhook_deliveries where status = 'received') as waiting`;

export interface Accounting {
  stored: number;
  processed: number;
  duplicates: number;
  lost: number;
  waiting: number;
}
