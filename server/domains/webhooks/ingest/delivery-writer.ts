import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { uuidv7 } from '../../../db/uuid.ts';
import { wakeLocalWorkers } from '../../../jobs/boss.ts';
import { mark } from '../../../observability/latency-trace.ts';

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
  /** Called after each batch settles (the number of waiting requests went down). */
  onSettled?: () => void;
  /** Transactions in flight at once; while they commit, new deliveries gather into the next batch. */
  maxInFlight: number;
  /**
   * Least time between two wake-ups of the workers (ms). Under load every group commit would send
   * one (a transaction of its own, and a job fetch by every listening worker); workers that are busy
   * do not need them, and idle ones wait at most this long for the first.
   */
  wakeIntervalMs: number;
}

const defaultOptions: DeliveryWriterOptions = { maxBatch: 500, maxInFlight: 3, wakeIntervalMs: 10 };

/**
 * Group commit for webhook ingest. Each delivery is durable — its row and its webhook.process job
 * committed in one transaction — before its request is answered, yet concurrent requests share
 * transactions: whatever arrives while a commit is in flight goes into the next one. At low load a
 * delivery commits alone at once; under load batches grow and the fsync cost is shared.
 */
export class DeliveryWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private inFlightDeliveries = 0;
  private readonly idle = new Set<() => void>();

  private readonly pool: pg.Pool;
  private readonly boss: PgBoss;
  private readonly options: DeliveryWriterOptions;
  private statements: Promise<StoreStatements> | undefined;
  private waking = false;
  private wakeAgain = false;
  private lastWake = Number.NEGATIVE_INFINITY;
  private wakeTimer: NodeJS.Timeout | undefined;

  constructor(pool: pg.Pool, boss: PgBoss, options: Partial<DeliveryWriterOptions> = {}) {
    this.pool = pool;
    this.boss = boss;
    this.options = { ...defaultOptions, ...options };
  }

  /** Resolves with the delivery id once it is committed; rejects if the commit failed (answer 5xx: Meta retries). */
  store(delivery: IncomingDelivery): Promise<string> {
    return new Promise((resolve, reject) => {
      this.queue.push({ ...delivery, id: uuidv7(), resolve, reject });
      this.pump();
    });
  }

  /** Deliveries accepted and not yet committed: requests waiting for their answer. */
  get pending(): number {
    return this.queue.length + this.inFlightDeliveries;
  }

  /** Waits until everything accepted so far is committed (or failed). */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.inFlight > 0) {
      await new Promise<void>((resolve) => this.idle.add(resolve));
    }
    if (this.wakeTimer) {
      clearTimeout(this.wakeTimer);
      this.wakeTimer = undefined;
    }
  }

  private pump(): void {
    while (this.queue.length > 0 && this.inFlight < this.options.maxInFlight) {
      const batch = this.queue.splice(0, this.options.maxBatch);
      this.inFlight++;
      this.inFlightDeliveries += batch.length;
      // writeIsolated settles every item itself and never rejects.
      void this.writeIsolated(batch).finally(() => {
        this.inFlight--;
        this.inFlightDeliveries -= batch.length;
        this.pump();
        this.options.onSettled?.();
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

  /**
   * One statement, so one round trip and one commit per batch: the deliveries are inserted by a
   * data-modifying CTE in front of pg-boss's own insert of their jobs (autocommit makes the whole
   * statement atomic; a job holds up to deliveriesPerJob of them). Prepared once per connection.
   */
  private async write(batch: Pending[]): Promise<void> {
    // Asking pg-boss may read its queue table: a failure (database down) is retried on the next batch.
    this.statements ??= storeStatements(this.boss).catch((error: unknown) => {
      this.statements = undefined;
      throw error;
    });
    const { store, wake } = await this.statements;
    const jobs = jobsOf(batch.filter((item) => item.parsed));
    await this.pool.query({
      name: wake ? 'parley-store-deliveries' : 'parley-store-deliveries-notifying',
      text: store,
      values: [
        JSON.stringify(jobs),
        batch.map((item) => item.id),
        batch.map((item) => item.appKey),
        // One buffer goes to PostgreSQL as binary; an array of them would be hex-encoded text.
        Buffer.concat(batch.map((item) => item.body)),
        batch.map((item) => item.body.length),
        batch.map((item) => (item.parsed ? 'received' : 'invalid_json')),
      ],
    });
    mark('ingest.committed', { n: batch.length });
    if (jobs.length === 0) return;
    // This node's own webhook.process workers (in `all`) start at once, without the NOTIFY round trip
    // nor its rate limit; the NOTIFY still wakes the other nodes' workers.
    wakeLocalWorkers(this.boss, 'webhook.process');
    if (wake) this.wakeWorkers(wake);
  }

  /**
   * Tells idle workers there are jobs (pg-boss's LISTEN channel), after the commit and outside it:
   * PostgreSQL serializes the commits of transactions that NOTIFY, which would undo group commit.
   * At most one in flight and one per wakeIntervalMs; commits meanwhile coalesce into one more.
   * Only a latency hint (workers poll too), so it need not be durable and a failure is ignored.
   */
  private wakeWorkers(wake: string): void {
    if (this.waking || this.wakeTimer) {
      this.wakeAgain ||= this.waking;
      return;
    }
    const wait = this.lastWake + this.options.wakeIntervalMs - performance.now();
    if (wait > 0) {
      this.wakeTimer = setTimeout(() => {
        this.wakeTimer = undefined;
        this.wakeWorkers(wake);
      }, wait);
      return;
    }
    this.lastWake = performance.now();
    this.waking = true;
    mark('ingest.wake');
    this.pool
      .query({ name: 'parley-wake-webhook-workers', text: wake })
      .catch(() => undefined)
      .finally(() => {
        mark('ingest.woken');
        this.waking = false;
        if (this.wakeAgain) {
          this.wakeAgain = false;
          this.wakeWorkers(wake);
        }
      });
  }
}

/** Most deliveries in one webhook.process job. */
export const deliveriesPerJob = 100;

/**
 * The webhook.process jobs of a batch: one per up to deliveriesPerJob deliveries, not one per
 * delivery. A job row costs pg-boss an insert with five index entries, and two more row versions
 * when it is fetched and completed: per delivery, that was more database work than storing the
 * delivery itself. A job of one delivery keeps the single-delivery shape replays use. No singleton
 * key: pg-boss would index it for every queued job; a replay finds a failed delivery's own job among
 * the few waiting to retry instead (app_public.mark_webhook_replay).
 */
function jobsOf(items: Pending[]) {
  const jobs = [];
  for (let start = 0; start < items.length; start += deliveriesPerJob) {
    const group = items.slice(start, start + deliveriesPerJob);
    const [only] = group;
    jobs.push({
      data:
        group.length === 1 && only
          ? { deliveryId: only.id, requestId: only.requestId }
          : {
              deliveryIds: group.map((item) => item.id),
              requestIds: group.map((item) => item.requestId ?? null),
            },
      priority: freshPriority,
    });
  }
  return jobs;
}

// $4 is every body back to back, $5 their lengths: each body is cut out at its running offset.
const storeDeliveries = `stored as (
  insert into app_private.webhook_deliveries (id, app_key, body, status)
  select id, app_key, substring($4::bytea from (sum(length) over (order by n) - length + 1)::int for length), status
  from unnest($2::uuid[], $3::text[], $5::int[], $6::text[]) with ordinality as d(id, app_key, length, status, n))`;

interface StoreStatements {
  /** Stores a batch: its deliveries and their webhook.process jobs, in one statement. */
  store: string;
  /** Wakes webhook.process workers, or undefined when `store` notifies them itself. */
  wake: string | undefined;
}

/**
 * pg-boss's own insert statement for webhook.process (asked of boss.insert through a db adapter that
 * records instead of running it), with the deliveries' insert joined in as its first CTE. Its only
 * parameter, $1, is the jobs as JSON; anything else means pg-boss changed and this must be revisited.
 * For a queue with `notify`, pg-boss wraps its insert in a CTE that also NOTIFYs: the insert is taken
 * out of it, and the NOTIFY sent after the commit. Should pg-boss's statement ever take another
 * shape, it is used whole (correct, only without the faster commits).
 */
export async function storeStatements(boss: PgBoss): Promise<StoreStatements> {
  let captured: string | undefined;
  await boss.insert('webhook.process', [{ data: {} }], {
    db: {
      executeSql: async (text) => {
        captured = text;
        return { rows: [] };
      },
    },
  });
  if (!captured || /\$[2-9]/.test(captured) || !captured.includes('$1')) {
    throw new Error('pg-boss insert statement has an unexpected shape: review DeliveryWriter');
  }
  const notifying =
    /^\s*with ins as \(([\s\S]*)\breturning id, start_after\s*\),\s*notified as \(\s*select (pg_notify\([\s\S]*?\))\s+from ins\b/i.exec(
      captured,
    );
  if (notifying?.[1] && notifying[2]) {
    // The wake-up commits without waiting for its WAL flush: it stores nothing.
    const wake = `select set_config('synchronous_commit', 'off', true), ${notifying[2]}`;
    return { store: `with ${storeDeliveries} ${notifying[1]}`, wake };
  }
  const leadingWith = /^\s*with\s/i;
  const store = leadingWith.test(captured)
    ? captured.replace(leadingWith, () => `with ${storeDeliveries}, `)
    : `with ${storeDeliveries} ${captured}`;
  return { store, wake: undefined };
}

/**
 * Whether the database answered and refused something in the batch (a SQLSTATE outside connection
 * exceptions, class 08, and operator intervention, class 57), so retrying item by item can isolate it.
 */
function refusedByContent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57)/.test(code);
}
