import type { AppServices } from '../../app-services.ts';
import {
  failUnsentMessage,
  messageSendPayload,
  sendPendingMessage,
  type MessageSendPayload,
} from '../../domains/messages/send-job.ts';
import { registerWorker } from '../boss.ts';
import { deadLetterQueue, queueSettings } from '../queues.ts';

/**
 * message.send: delivers one pending outbound message through the Graph API (send-job.ts decides
 * when, and what Meta's errors mean). A send that must wait — a rate limit, a retry's backoff, the
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

export async function register(services: AppServices): Promise<void> {
  const { boss, config } = services;
  await registerWorker(
    boss,
    queue,
    async (job) => {
      const data = payload.parse(job.data);
      const outcome = await sendPendingMessage(services, data);
      if (outcome.kind === 'later') await sendLater(services, data, outcome.afterSeconds);
    },
    // Jobs of a batch run side by side: a send that sleeps for its rate-limit slot does not hold up
    // the rest of the batch.
    { concurrency: config.workerConcurrency, parallel: true },
  );
  await registerWorker(boss, deadLetterQueue(queue), async (job) => {
    const data = payload.parse(job.data);
    if (!(await failUnsentMessage(services, data))) {
      await sendLater(services, data, services.sendTiming.reconcileSeconds);
    }
  });
}
