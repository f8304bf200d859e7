import type { AppServices } from '../../app-services.ts';
import { giveUpImport, runImport } from '../../domains/contacts/import/run.ts';
import { registerWorker } from '../boss.ts';
import { contactImportPayload, deadLetterQueue, queueSettings } from '../queues.ts';

/**
 * contact.import: one uploaded CSV into the workspace's contacts (domains/contacts/import/run.ts),
 * queued by contactImport.start. All or nothing; after the last retry the import is marked failed.
 */
export const queue = 'contact.import';
export const payload = contactImportPayload;
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  const { boss, pools } = services;
  await registerWorker(boss, queue, async (job) => {
    const { tenantId, importId } = payload.parse(job.data);
    await runImport(pools.app, tenantId, importId);
  });
  await registerWorker(boss, deadLetterQueue(queue), async (job) => {
    const { tenantId, importId } = payload.parse(job.data);
    await giveUpImport(pools.app, tenantId, importId);
  });
}
