import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { tick, type RunnerTiming } from '../../domains/campaigns/runner.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * campaign.run: ticks a campaign (domains/campaigns/runner.ts) until it stops running, for at most
 * `sliceMs`, then hands over to a new job, so no job runs for hours. A crashed worker's job is retried
 * by pg-boss once its heartbeat is stale; a second runner of the same campaign is harmless (ticks
 * lock the campaign's row and re-read it), it only wastes work.
 */
export const queue = 'campaign.run';
export const payload = z.object({ tenantId: z.uuid(), campaignId: z.uuid() });
export const policy = queueSettings[queue];

const sliceMs = 60_000;

export async function runCampaign(
  services: AppServices,
  data: z.infer<typeof payload>,
  timing?: RunnerTiming,
) {
  const until = Date.now() + sliceMs;
  for (;;) {
    const outcome = await tick(services, data.tenantId, data.campaignId, timing ?? services.campaignTiming);
    if (outcome.kind === 'stop') return;
    if (Date.now() + outcome.afterMs > until) {
      await services.boss.send(queue, data, { startAfter: new Date(Date.now() + outcome.afterMs) });
      return;
    }
    if (outcome.afterMs > 0) await new Promise((resolve) => setTimeout(resolve, outcome.afterMs));
  }
}

export async function register(services: AppServices): Promise<void> {
  await registerWorker(
    services.boss,
    queue,
    async (job) => {
      await runCampaign(services, payload.parse(job.data));
    },
    { concurrency: 4, batchSize: 1 },
  );
}
