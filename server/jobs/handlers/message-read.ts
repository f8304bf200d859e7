import type { AppServices } from '../../app-services.ts';
import { readReceiptPayload, sendReadReceipt } from '../../domains/channels/read-receipts.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * message.read: marks a conversation's latest customer message read at Meta (blue ticks). Retry
 * policy: queueSettings['message.read'] (few retries: a late receipt is worth little); dead letters
 * are only kept for inspection.
 */
export const queue = 'message.read';
export const payload = readReceiptPayload;
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  await registerWorker(services.boss, queue, (job) => sendReadReceipt(services, payload.parse(job.data)));
}
