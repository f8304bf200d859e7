import type { Tx } from '../../db/tx.ts';
import {
  deleteChunks,
  markMediaUnavailable,
  ofContact,
  setMediaRetention,
  storageUsage,
  storedBefore,
  type MediaCondition,
} from './queries.ts';

export function mediaUsage(tx: Tx) {
  return tx.one(storageUsage());
}

export async function setRetention(tx: Tx, days: number | null): Promise<void> {
  await tx.query(setMediaRetention(days));
}

/**
 * Deletes the bytes of media matching `where` (the rows stay, as "unavailable" with `reason`, so the
 * thread says what happened instead of showing a broken file). Returns how many files were deleted.
 */
async function dropBytes(tx: Tx, where: MediaCondition, reason: string): Promise<number> {
  const ids = await tx.anyFirst(markMediaUnavailable(where, reason));
  if (ids.length > 0) await tx.query(deleteChunks(ids));
  return ids.length;
}

/** Stored media that came in (or was uploaded) longer ago than the workspace's retention. */
export function deleteExpiredMedia(tx: Tx, retentionDays: number): Promise<number> {
  return dropBytes(
    tx,
    storedBefore(retentionDays),
    `deleted after ${retentionDays} days, as this workspace keeps media`,
  );
}

/**
 * Every file a contact sent or was sent (their conversations'), for a GDPR erase request: the
 * bytes are gone at once; the caller may delete the messages too.
 */
export function deleteContactMedia(tx: Tx, contactId: string): Promise<number> {
  return dropBytes(tx, ofContact(contactId), 'deleted at the customer’s request');
}
