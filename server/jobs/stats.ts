import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import { deadLetterQueue, queueNames } from './queues.ts';

export const queueStatsSchema = z.array(
  z.object({
    name: z.string(),
    ready: z.number(),
    deferred: z.number(),
    active: z.number(),
    failed: z.number(),
    /** Jobs that used up their retries and wait in <name>.dead for a look or a replay. */
    deadLettered: z.number(),
  }),
);

/** Per product queue: what waits, runs and failed (pg-boss's cached counts, refreshed by its monitor). */
export async function queueStats(boss: PgBoss): Promise<z.infer<typeof queueStatsSchema>> {
  const queues = await boss.getQueues();
  const byName = new Map(queues.map((queue) => [queue.name, queue]));
  return queueNames.map((name) => {
    const queue = byName.get(name);
    const dead = byName.get(deadLetterQueue(name));
    return {
      name,
      ready: queue?.readyCount ?? 0,
      deferred: queue?.deferredCount ?? 0,
      active: queue?.activeCount ?? 0,
      failed: queue?.failedCount ?? 0,
      deadLettered: dead?.queuedCount ?? 0,
    };
  });
}
