import { PgBoss, type Job, type JobResult, type Queue, type WorkOptions } from 'pg-boss';
import type { Logger } from '../logger.ts';
import {
  deadLetterSettings,
  deadLetterQueue,
  superviseIntervalSeconds,
  workerPolling,
  type QueueSettings,
} from './queues.ts';

export const bossSchema = 'pgboss';

export interface BossOptions {
  /** Run maintenance and supervision here (worker nodes); web-only nodes just send. */
  supervise: boolean;
  maxConnections?: number;
}

/**
 * pg-boss on Parley's database, in its own schema. LISTEN/NOTIFY wakes idle workers the moment a job
 * is created; polling stays on as the correctness floor (the listener is a latency hint only).
 */
export async function startBoss(
  connectionString: string,
  logger: Logger,
  options: BossOptions,
): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString,
    schema: bossSchema,
    application_name: 'parley-jobs',
    max: options.maxConnections ?? 10,
    useListenNotify: true,
    supervise: options.supervise,
    schedule: options.supervise,
    // Both gate the pass that fails jobs whose heartbeat stopped (see heartbeatSeconds).
    superviseIntervalSeconds,
    monitorIntervalSeconds: superviseIntervalSeconds,
  });
  boss.on('error', (error) => logger.error({ err: error }, 'job system error'));
  boss.on('warning', (warning) => logger.warn({ warning }, 'job system warning'));
  await boss.start();
  return boss;
}

/**
 * Wakes this process's workers of `queue` (none on a node that does not run them): each fetches now
 * instead of waiting for the NOTIFY or its poll; a worker in the middle of a batch fetches again as
 * soon as it finishes. For writers in the same process as the workers, a function call instead of a
 * round trip through PostgreSQL.
 */
export function wakeLocalWorkers(boss: PgBoss, queue: string): void {
  for (const worker of boss.getWipData()) if (worker.name === queue) boss.notifyWorker(worker.id);
}

/** Creates each queue and its dead-letter queue, or brings their policy up to date; safe on every start. */
export async function ensureQueues(boss: PgBoss, policies: Record<string, QueueSettings>): Promise<void> {
  for (const [name, policy] of Object.entries(policies)) {
    await upsertQueue(boss, deadLetterQueue(name), deadLetterSettings);
    await upsertQueue(boss, name, { ...policy, deadLetter: deadLetterQueue(name) });
  }
}

async function upsertQueue(boss: PgBoss, name: string, options: Omit<Queue, 'name'>): Promise<void> {
  if (await boss.getQueue(name)) {
    const { policy: _policy, partition: _partition, deadLetter, ...updatable } = options;
    await boss.updateQueue(name, { ...updatable, ...(deadLetter ? { deadLetter } : {}) });
  } else {
    await boss.createQueue(name, options);
  }
}

/**
 * Works `name` with Parley's polling backstop: each of `concurrency` loops fetches up to `batchSize`
 * jobs and keeps fetching without pause while batches come back full (a backlog drains at full speed,
 * an idle queue waits for NOTIFY). Jobs of a batch settle one by one: a throwing handler fails only
 * its own job, which pg-boss retries per the queue's policy and finally dead-letters.
 */
export async function registerWorker<T extends object>(
  boss: PgBoss,
  name: string,
  handler: (job: Job<T>) => Promise<void>,
  options: {
    concurrency?: number;
    batchSize?: number;
    /** Run a batch's jobs side by side instead of one after another. */
    parallel?: boolean;
    polling?: Pick<WorkOptions, 'pollingIntervalSeconds' | 'notifyPollingIntervalSeconds'>;
  } = {},
): Promise<string> {
  const settle = async (job: Job<T>): Promise<JobResult> => {
    try {
      await handler(job);
      return { id: job.id, status: 'completed' };
    } catch (error) {
      return {
        id: job.id,
        status: 'failed',
        output: { message: error instanceof Error ? error.message : String(error) },
      };
    }
  };
  return boss.work<T>(
    name,
    {
      ...workerPolling,
      ...options.polling,
      batchSize: options.batchSize ?? 10,
      burstWhenBatchFull: true,
      perJobResults: true,
      localConcurrency: options.concurrency ?? 1,
    },
    async (jobs) => {
      if (options.parallel) return Promise.all(jobs.map(settle));
      const results: JobResult[] = [];
      for (const job of jobs) results.push(await settle(job));
      return results;
    },
  );
}

/**
 * Like registerWorker, for handlers that do a whole batch at once (fewer transactions under load). The
 * handler returns the jobs that failed, by id, with why; the others complete.
 */
export async function registerBatchWorker<T extends object>(
  boss: PgBoss,
  name: string,
  handler: (jobs: Job<T>[]) => Promise<Map<string, string>>,
  options: {
    concurrency?: number;
    batchSize?: number;
    polling?: Pick<WorkOptions, 'pollingIntervalSeconds' | 'notifyPollingIntervalSeconds'>;
  } = {},
): Promise<string> {
  return boss.work<T>(
    name,
    {
      ...workerPolling,
      ...options.polling,
      batchSize: options.batchSize ?? 50,
      burstWhenBatchFull: true,
      perJobResults: true,
      localConcurrency: options.concurrency ?? 1,
    },
    async (jobs) => {
      let failures: Map<string, string>;
      try {
        failures = await handler(jobs);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        failures = new Map(jobs.map((job) => [job.id, message]));
      }
      return jobs.map((job): JobResult => {
        const failure = failures.get(job.id);
        return failure
          ? { id: job.id, status: 'failed', output: { message: failure } }
          : { id: job.id, status: 'completed' };
      });
    },
  );
}
