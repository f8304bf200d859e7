import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant } from '../../db/tx.ts';
import { deleteAbandonedUploads } from './queries.ts';
import { deleteExpiredMedia } from './service.ts';

/**
 * Media retention: for each workspace that keeps media a limited time (media.setRetention; default:
 * keep), deletes the bytes of files older than that, under the workspace's own tenant scope. The rows
 * stay as "unavailable" so threads say why a file is gone. Returns the files deleted per workspace.
 */
export async function runMediaRetention(services: AppServices): Promise<Map<string, number>> {
  const tenants = await services.pools.owner.any(
    sql.type(z.object({ tenantId: z.string(), retentionDays: z.number() }))`
      select tenant_id as "tenantId", retention_days as "retentionDays" from app_private.media_retention_tenants()
    `,
  );
  const deleted = new Map<string, number>();
  for (const { tenantId, retentionDays } of tenants) {
    const count = await withTenant(services.pools.app, tenantId, (tx) =>
      deleteExpiredMedia(tx, retentionDays),
    );
    if (count > 0) deleted.set(tenantId, count);
  }
  return deleted;
}

/** Deletes agents' uploads no message will use, in every workspace (queries.ts); returns how many. */
export function runAbandonedUploadCleanup(services: AppServices): Promise<number> {
  return services.pools.owner.oneFirst(deleteAbandonedUploads());
}
