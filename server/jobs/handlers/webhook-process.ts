import type { AppServices } from '../../app-services.ts';
import { processingDb, processWebhookJobs } from '../../domains/webhooks/processing/process.ts';
import { registerBatchWorker } from '../boss.ts';
import { queueTemplateSyncs } from './template-sync.ts';
import { mark } from '../../observability/latency-trace.ts';
import { deliveriesOfJob, queueSettings, webhookProcessPayload } from '../queues.ts';

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

export async function register(services: AppServices): Promise<void> {
  const { boss, logger, httpPriority } = services;
  await registerBatchWorker(
    boss,
    queue,
    async (jobs) => {
      mark('worker.fetched', { jobs: jobs.length });
      // Runs of whole jobs (a job's deliveries are claimed together) of about deliveriesPerRun.
      const runs: { jobId: string; deliveryId: string; requestId?: string | undefined }[][] = [[]];
      for (const job of jobs) {
        const last = runs[runs.length - 1] ?? [];
        if (last.length >= deliveriesPerRun) runs.push([]);
        runs[runs.length - 1]?.push(
          ...deliveriesOfJob(payload.parse(job.data)).map((delivery) => ({ jobId: job.id, ...delivery })),
        );
      }
      const hooks = {
        templatesChanged: (accounts: Parameters<typeof queueTemplateSyncs>[1]) =>
          queueTemplateSyncs(boss, accounts),
      };
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
    },
    // A job holds the deliveries of one group commit: up to DeliveryWriter's 100 under heavy load, but
    // one to a few at 16 connections or fewer. 100 jobs a fetch keeps those small jobs in runs of 100+
    // deliveries (at 25 jobs, per-run cost — claim, tenant transaction, finish, pg-boss fetch and
    // complete — doubled CPU per event: bench/README.md "Processing in the seed mix") while a fetch
    // of full jobs stays ≤ 10,000 deliveries, seconds of work under pg-boss's heartbeat.
    { concurrency, batchSize: 100 },
  );
}
