import type { JobInsert } from 'pg-boss';
import type { AppServices } from '../../app-services.ts';
import {
  failUnsentMessage,
  messageSendPayload,
  sendPendingMessages,
  type MessageSendPayload,
} from '../../domains/messages/send-job.ts';
import { registerBatchWorker, registerWorker } from '../boss.ts';
import { deadLetterQueue, queueSettings } from '../queues.ts';

/**
 * message.send: delivers pending outbound messages through the Graph API, a batch of jobs at a time
 * (send-job.ts decides when, and what Meta's errors mean). A send that must wait — a rate limit, a retry's backoff, the
 * reconciliation of a lost answer — completes this job and queues the next one with startAfter, so
 * waiting never uses up the queue's retries. Those (queueSettings['message.send']) cover the job
 * itself failing (a crash, the database gone); after the last, message.send.dead fails the message so
 * the agent sees it, unless its send's outcome is still being reconciled.
 */
export const queue = 'message.send';
export const payload = messageSendPayload;
export const policy = queueSettings[queue];

/** Runs message.send again for this message after `seconds`. */
export async function sendLater(services: AppServices, data: MessageSendPayload, seconds: number) {
  await services.boss.send(queue, data, { startAfter: new Date(Date.now() + Math.ceil(seconds * 1000)) });
}

/**
 * How many message.send jobs one fetch takes. The batch's messages are paced and claimed in one
 * transaction per workspace and their wamids recorded in group commits, so a number at 1,000 msg/s
 * does not cost thousands of transactions a second.
 */
export const sendBatchSize = 100;

export async function register(services: AppServices): Promise<void> {
  const { boss, config } = services;
  await registerBatchWorker(
    boss,
    queue,
    async (jobs) => {
      const failures = new Map<string, string>();
      const parsed = jobs.flatMap((job) => {
        const data = payload.safeParse(job.data);
        if (data.success) return [{ job, data: data.data }];
        failures.set(job.id, data.error.message);
        return [];
      });
      const outcomes = await sendPendingMessages(
        services,
        parsed.map(({ data }) => data),
      );
      const again: JobInsert<MessageSendPayload>[] = [];
      outcomes.forEach((outcome, index) => {
        const { job, data } = parsed[index] as (typeof parsed)[number];
        if (outcome instanceof Error) failures.set(job.id, outcome.message);
        else if (outcome.kind === 'later') {
          const { slotAt: _previous, ...rest } = data;
          again.push({
            data: { ...rest, ...(outcome.slotAt ? { slotAt: outcome.slotAt } : {}) },
            startAfter: new Date(Date.now() + Math.ceil(outcome.afterSeconds * 1000)),
          });
        }
      });
      // The jobs that come back later, in one insert; if it fails, the batch's jobs are retried.
      if (again.length > 0) await boss.insert(queue, again);
      return failures;
    },
    {
      concurrency: config.workerConcurrency,
      batchSize: sendBatchSize,
      // A job put back until just before its reserved slot must be picked up before the slot passes.
      polling: { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 1 },
    },
  );
  await registerWorker(boss, deadLetterQueue(queue), async (job) => {
    const data = payload.parse(job.data);
    if (!(await failUnsentMessage(services, data))) {
      await sendLater(services, data, services.sendTiming.reconcileSeconds);
    }
  });
}
