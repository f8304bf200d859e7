import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { runAutoAssign } from '../../domains/autoAssign/service.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * conversation.autoassign: round robin for conversations that opened unassigned on a phone number with
 * a rule. Queued by the statement that opened them (sql/functions/92-collaboration.sql), one job per
 * tenant and statement; several workers may run such jobs at once (the rule's row lock makes them take
 * turns). Idempotent: a conversation assigned meanwhile is left alone.
 */
export const queue = 'conversation.autoassign';
export const payload = z.object({ tenantId: z.uuid(), conversationIds: z.array(z.uuid()).min(1) });
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  await registerWorker(
    services.boss,
    queue,
    async (job) => {
      const { tenantId, conversationIds } = payload.parse(job.data);
      const assigned = await runAutoAssign(services.pools.app, tenantId, conversationIds);
      if (assigned.length > 0) services.logger.debug({ tenantId, assigned }, 'conversations: auto-assigned');
    },
    { parallel: true },
  );
}
