import type { Job, PgBoss } from 'pg-boss';
import type { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { processingDb, processWebhookJobs } from '../../domains/webhooks/processing/process.ts';
import { registerBatchWorker } from '../boss.ts';
import { queueTemplateSyncs } from './template-sync.ts';
import { mark } from '../../observability/latency-trace.ts';
import { deliveriesOfJob, heartbeatSeconds, queueSettings, webhookProcessPayload } from '../queues.ts';

/**
 * webhook.process: turns stored Meta deliveries into rows, a batch at a time (processWebhookJobs).
 * Retry and dead-letter policy: queueSettings['webhook.process']; a failure is also kept on the
 * delivery for the webhook log and replay.
 */
export const queue = 'webhook.process';
export const payload = webhookProcessPayload;
export const policy = queueSettings[queue];

/**
 * Fetches processed at once (pg-boss localConcurrency): two keep the database busy while Node parses
 * the next. While this node's HTTP path is busy, services.httpPriority lets only one run at a time.
 */
export const concurrency = 2;

/** Most deliveries processed together (a handful of set statements each); a fetch may bring more. */
const deliveriesPerRun = 500;

/** Jobs pg-boss fetches at once; a full fetch of small jobs is topped up (topUp) to deliveriesPerRun. */
const jobsPerFetch = 100;

type ProcessJob = Job<z.infer<typeof payload>>;
type Delivery = { jobId: string; deliveryId: string; requestId?: string | undefined };

const deliveriesOf = (jobs: ProcessJob[]): Delivery[] =>
  jobs.flatMap((job) =>
    deliveriesOfJob(payload.parse(job.data)).map((delivery) => ({ jobId: job.id, ...delivery })),
  );

/**
 * Fetches sized by deliveries, not jobs. A job holds one group commit's deliveries: up to 100 under
 * heavy ingest, one to a few at 16 connections or fewer, so a fetch of jobsPerFetch small jobs made
 * runs of ~100 events whose fixed cost (claim, routing, one tenant transaction with its set
 * statements, finish, pg-boss fetch and complete) dominated their CPU (bench/README.md "Processing in
 * the seed mix"). When a fetch came back full (a backlog) yet holds fewer than deliveriesPerRun
 * deliveries, more jobs are fetched until it holds about that many. Returns the extra jobs; the caller
 * keeps their heartbeat and settles them.
 */
async function topUp(boss: PgBoss, fetched: ProcessJob[], held: number): Promise<ProcessJob[]> {
  const extra: ProcessJob[] = [];
  let jobs = fetched.length;
  let deliveries = held;
  let full = jobs >= jobsPerFetch;
  while (full && deliveries < deliveriesPerRun) {
    // As many jobs as the deliveries still wanted, at the size of the jobs seen so far.
    const want = Math.min(4 * jobsPerFetch, Math.ceil((deliveriesPerRun - deliveries) / (deliveries / jobs)));
    const more = await boss.fetch<z.infer<typeof payload>>(queue, { batchSize: want });
    extra.push(...more);
    jobs += more.length;
    deliveries += deliveriesOf(more).length;
    full = more.length >= want;
  }
  return extra;
}

export async function register(services: AppServices): Promise<void> {
  const { boss, logger, httpPriority } = services;
  const hooks = {
    templatesChanged: (accounts: Parameters<typeof queueTemplateSyncs>[1]) =>
      queueTemplateSyncs(boss, accounts),
  };
  /** Processes the deliveries of the given jobs in runs of about deliveriesPerRun; returns the jobs to fail. */
  const processJobs = async (jobs: ProcessJob[]) => {
    // Runs of whole jobs (a job's deliveries are claimed together) of about deliveriesPerRun.
    const runs: Delivery[][] = [[]];
    for (const job of jobs) {
      const last = runs[runs.length - 1] ?? [];
      if (last.length >= deliveriesPerRun) runs.push([]);
      runs[runs.length - 1]?.push(...deliveriesOf([job]));
    }
    const failures = new Map<string, string>();
    for (const run of runs) {
      if (run.length === 0) continue;
      mark('worker.run', { deliveries: run.length });
      const outcome = await httpPriority.run(() =>
        processWebhookJobs(processingDb(services), logger, run, hooks),
      );
      for (const [jobId, why] of outcome) failures.set(jobId, why);
    }
    return failures;
  };
  await registerBatchWorker<z.infer<typeof payload>>(
    boss,
    queue,
    async (jobs) => {
      mark('worker.fetched', { jobs: jobs.length });
      const extra = await topUp(boss, jobs, deliveriesOf(jobs).length);
      if (extra.length === 0) return processJobs(jobs);
      // The extra jobs are this handler's own: their heartbeat while they run, their settling after.
      const attempts = (list: ProcessJob[]) => list.map(({ id, retryCount }) => ({ id, retryCount }));
      const beat = setInterval(
        () =>
          void boss.touch(queue, attempts(extra)).catch((error: unknown) => {
            logger.warn({ err: error }, 'webhook.process heartbeat failed');
          }),
        (heartbeatSeconds * 1000) / 2,
      );
      let failures: Map<string, string>;
      try {
        failures = await processJobs([...jobs, ...extra]);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        await Promise.all(extra.map((job) => boss.fail(queue, attempts([job]), { message })));
        throw error;
      } finally {
        clearInterval(beat);
      }
      const done = extra.filter((job) => !failures.has(job.id));
      if (done.length > 0) await boss.complete(queue, attempts(done));
      for (const job of extra) {
        const why = failures.get(job.id);
        if (why) await boss.fail(queue, attempts([job]), { message: why });
      }
      return failures;
    },
    { concurrency, batchSize: jobsPerFetch },
  );
}
