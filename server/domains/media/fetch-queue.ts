import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import type { Outbox } from '../../jobs/outbox.ts';

/**
 * Queues media.fetch for the inbound media files this transaction added (the trigger on messages
 * adds a pending row per media message, sql/functions/90-media.sql) through the outbox, so pg-boss
 * writes its own job rows in the transaction that stores the message: both commit or neither does.
 * A row another transaction added is theirs to queue (uncommitted, so not seen here); a row left
 * unqueued by some other writer is taken by the next transaction of its workspace that stores media.
 */
export async function queueMediaFetches(tx: Tx, outbox: Outbox, tenantId: string): Promise<number> {
  const ids = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
    update app_public.media set fetch_queued_at = now()
    where status = 'pending' and fetch_queued_at is null and meta_media_id is not null
    returning id
  `);
  for (const mediaId of ids)
    outbox.send({ name: 'media.fetch', data: { tenantId, mediaId }, singletonKey: mediaId });
  return ids.length;
}
