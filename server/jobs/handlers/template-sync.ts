import type { PgBoss } from 'pg-boss';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { templateChannels } from '../../domains/templates/queries.ts';
import { jobScope, syncTemplates } from '../../domains/templates/service.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * template.sync: reads every template of a channel's WABA from Meta (all pages) and stores them, when
 * template webhooks arrive (a template created in Meta's tools is known only by name until then).
 * Retry policy: queueSettings['template.sync'].
 */
export const queue = 'template.sync';
export const payload = z.object({ tenantId: z.uuid(), channelId: z.uuid() });
export const policy = queueSettings[queue];

/** A burst of template webhooks for one channel becomes one sync, a few seconds later. */
export async function queueTemplateSyncs(
  boss: PgBoss,
  accounts: { tenantId: string; channelId: string }[],
): Promise<void> {
  const channels = new Map(accounts.map((account) => [account.channelId, account]));
  for (const { tenantId, channelId } of channels.values()) {
    await boss.send(
      queue,
      { tenantId, channelId },
      { singletonKey: channelId, singletonSeconds: 5, singletonNextSlot: true },
    );
  }
}

export async function register(services: AppServices): Promise<void> {
  await registerWorker(services.boss, queue, async (job) => {
    const { tenantId, channelId } = payload.parse(job.data);
    const scope = jobScope(services, tenantId);
    // A channel disabled (or removed) since the webhook has nothing to sync.
    const [channel] = await scope.withTenant((tx) => tx.any(templateChannels(channelId)));
    if (channel) await syncTemplates(scope, channelId);
  });
}
