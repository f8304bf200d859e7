import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { uuidv7 } from '../../db/uuid.ts';

/** Fresh deliveries go before replays (webhook.replay queues at replayPriority). */
export const freshPriority = 0;
export const replayPriority = -1;

export interface IncomingDelivery {
  appKey: string;
  /** The raw bytes Meta signed, stored as they are. */
  body: Buffer;
  /** False for bodies that are not UTF-8 JSON: stored for the log, but not queued for processing. */
  parsed: boolean;
  /** The request that received it; its processing job logs under the same id. */
  requestId?: string;
}

interface Pending extends IncomingDelivery {
  id: string;
  resolve: (id: string) => void;
  reject: (error: unknown) => void;
}

export interface DeliveryWriterOptions {
  /** Most deliveries written by one transaction. */
  maxBatch: number;
  /** Transactions in flight at once; while they commit, new deliveries gather into the next batch. */
  maxInFlight: number;
}

/**
 * Group commit for webhook ingest. Each delivery is durable — its row and its webhook.process job
 * committed in one transaction — before its request is answered, yet concurrent requests share
 * transactions: whatever arrives while a commit is in flight goes into the next one. At low load a
 * delivery commits alone at once; under load batches grow and the fsync cost is shared.
 */
export class DeliveryWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly idle = new Set<() => void>();

  private readonly pool: pg.Pool;
  private readonly boss: PgBoss;
  private readonly options: DeliveryWriterOptions;

  constructor(
    pool: pg.Pool,
    boss: PgBoss,
    options: DeliveryWriterOptions = { maxBatch: 500, maxInFlight: 3 },
  ) {
    this.pool = pool;
    this.boss = boss;
    this.options = options;
  }

  /** Resolves with the delivery id once it is committed; rejects if the commit failed (answer 5xx: Meta retries). */
  store(delivery: IncomingDelivery): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...delivery, id: uuidv7(), resolve, reject });
      this.pump();
    });
  }

  /** Waits until everything accepted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      // writeIsolated settles every item itself and never rejects.
      void this.writeIsolated(batch).finally(() => {
        this.inFlight--;
        this.pump();
        if (this.queue.length === 0 && this.inFlight === 0) {
          for (const resolve of this.idle) resolve();
          this.idle.clear();
        }
      });
    }
  }

  /**
   * Writes the batch in one transaction; if that fails, writes its items one by one, so a delivery
   * the database refuses fails alone and never takes its batch neighbours (other workspaces) with it.
   */
  private async writeIsolated(batch: Pending[]): Promise<void> {
    try {
      await this.write(batch);
      batch.forEach((item) => item.resolve(item.id));
      return;
    } catch (error) {
      if (batch.length === 1 || !refusedByContent(error)) {
        // An unreachable database fails every item alike (each answers 5xx, Meta retries): no use
        // knocking on it once per item.
        batch.forEach((item) => item.reject(error));
        return;
      }
    }
    for (const item of batch) {
      try {
        await this.write([item]);
        item.resolve(item.id);
      } catch (error) {
        item.reject(error);
      }
    }
  }

  private async write(batch: Pending[]): Promise<void> {
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      await client.query(
        `insert into app_private.webhook_deliveries (id, app_key, body, status)
         select * from unnest($1::uuid[], $2::text[], $3::bytea[], $4::text[])`,
        [
          batch.map((item) => item.id),
          batch.map((item) => item.appKey),
          batch.map((item) => item.body),
          batch.map((item) => (item.parsed ? 'received' : 'invalid_json')),
        ],
      );
      const jobs = batch
        .filter((item) => item.parsed)
        // The key lets a replay see that the delivery is already queued (pg-boss indexes queued keys).
        .map((item) => ({
          data: { deliveryId: item.id, requestId: item.requestId },
          singletonKey: item.id,
          priority: freshPriority,
        }));
      if (jobs.length > 0) {
        await this.boss.insert('webhook.process', jobs, {
          db: { executeSql: (text, values) => client.query(text, values as unknown[]) },
        });
      }
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}

/**
 * Whether the database answered and refused something in the batch (a SQLSTATE outside connection
 * exceptions, class 08, and operator intervention, class 57), so retrying item by item can isolate it.
 */
function refusedByContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57)/.test(code);
}
