import { sql } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';

const usageRow = z.object({
  usedBytes: z.coerce.number(),
  capBytes: z.coerce.number(),
  retentionDays: z.number().nullable(),
});

export function mediaUsage(tx: Tx) {
  return tx.one(sql.type(usageRow)`
    select used_bytes as "usedBytes", cap_bytes as "capBytes", retention_days as "retentionDays"
    from app_public.media_storage()
  `);
}

export async function setRetention(tx: Tx, days: number | null): Promise<void> {
  await tx.query(sql.unsafe`select app_public.set_media_retention(${days})`);
}

/**
 * Deletes the bytes of media matching `where` (the rows stay, as "unavailable" with `reason`, so the
 * thread says what happened instead of showing a broken file). Returns how many files were deleted.
 */
async function dropBytes(tx: Tx, where: ReturnType<typeof sql.fragment>, reason: string): Promise<number> {
  const ids = await tx.anyFirst(sql.type(z.object({ id: z.string() }))`
    update app_public.media d set status = 'unavailable', unavailable_reason = ${reason}, thumbnail = null,
           stored_at = null, meta_media_id = null
    where ${where} and d.status <> 'unavailable'
    returning d.id
  `);
  if (ids.length > 0) {
    await tx.query(
      sql.unsafe`delete from app_public.media_chunks where media_id = any(${sql.array(ids, 'uuid')})`,
    );
  }
  return ids.length;
}

/** Stored media that came in (or was uploaded) longer ago than the workspace's retention. */
export function deleteExpiredMedia(tx: Tx, retentionDays: number): Promise<number> {
  return dropBytes(
    tx,
    sql.fragment`d.status = 'stored' and d.created_at < now() - make_interval(days => ${retentionDays})`,
    `deleted after ${retentionDays} days, as this workspace keeps media`,
  );
}

/**
 * Every file a contact sent or was sent (their conversations'), for a GDPR erase request: the
 * bytes are gone at once; the caller may delete the messages too.
 */
export function deleteContactMedia(tx: Tx, contactId: string): Promise<number> {
  return dropBytes(
    tx,
    sql.fragment`d.message_id in (
      select m.id from app_public.messages m join app_public.conversations c on c.id = m.conversation_id
      where c.contact_id = ${contactId})`,
    'deleted at the customer’s request',
  );
}
