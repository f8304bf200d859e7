import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { wakeSnoozedConversations } from '../../domains/conversations/wake.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * conversation.wake: reopens the conversations whose snooze has ended, in every workspace
 * (app_private.wake_snoozed_conversations). Every minute from a pg-boss schedule (one node runs each
 * occurrence); a customer writing reopens a snoozed conversation at once, without it.
 */
export const queue = 'conversation.wake';
export const payload = z.object({});
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, pools, logger } = services;
  await registerWorker(boss, queue, async () => {
    const woken = await wakeSnoozedConversations(pools.owner);
    if (woken > 0) logger.debug({ woken }, 'conversations: snoozes ended');
  });
  await boss.schedule(queue, '* * * * *', {}, { tz: 'UTC' });
}
