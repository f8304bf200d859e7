import type { AppServices } from '../../app-services.ts';
import {
  failUnsentMessage,
  messageSendPayload,
  sendPendingMessage,
} from '../../domains/messages/send-job.ts';
import { registerWorker } from '../boss.ts';
import { deadLetterQueue, queueSettings } from '../queues.ts';

/**
 * message.send: delivers one pending outbound message through the Graph API (send-job.ts decides
 * which of Meta's errors are worth a retry). Retry policy: queueSettings['message.send']; after the
 * last retry the job lands in message.send.dead, whose worker marks the message failed so the agent
 * sees it and can retry.
 */
export const queue = 'message.send';
export const payload = messageSendPayload;
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, config } = services;
  await registerWorker(boss, queue, (job) => sendPendingMessage(services, payload.parse(job.data)), {
    concurrency: config.workerConcurrency,
  });
  await registerWorker(boss, deadLetterQueue(queue), (job) =>
    failUnsentMessage(services, payload.parse(job.data)),
  );
}
