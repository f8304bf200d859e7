import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { withTenant, type Tx } from '../../db/tx.ts';
import { GraphApiError } from '../../whatsapp/errors.ts';
import { mediaLimits } from '../../whatsapp/media-limits.ts';
import { channelGraph, readSecrets } from '../channels/service.ts';
import { sha256, writeChunks } from './storage.ts';
import { hasThumbnail, makeThumbnail } from './thumbnails.ts';
import { mediaDurationMs } from './voice.ts';

/** media.fetch: one inbound media file to download before Meta's media id expires. */
export const mediaFetchPayload = z.object({ tenantId: z.uuid(), mediaId: z.uuid() });
export type MediaFetchPayload = z.infer<typeof mediaFetchPayload>;

const pendingRow = z.object({
  kind: z.enum(['image', 'video', 'audio', 'document', 'sticker']),
  metaMediaId: z.string(),
  channelId: z.string(),
  graphApiVersion: z.string(),
  graphApiBaseUrl: z.string().nullable(),
  channelStatus: z.string(),
});

async function loadPending(tx: Tx, mediaId: string) {
  return tx.maybeOne(sql.type(pendingRow)`
    select d.kind, d.meta_media_id as "metaMediaId", c.id as "channelId", c.graph_api_version as "graphApiVersion",
           c.graph_api_base_url as "graphApiBaseUrl", c.status as "channelStatus"
    from app_public.media d
    join app_public.messages m on m.id = d.message_id
    join app_public.conversations v on v.id = m.conversation_id
    join app_public.phone_numbers p on p.id = v.phone_number_id
    join app_public.channels c on c.id = p.channel_id
    where d.id = ${mediaId} and d.status = 'pending' and d.meta_media_id is not null
  `);
}

/** Ends a media file as unavailable with a reason the thread shows ("media unavailable: …"). */
export async function markUnavailable(tx: Tx, mediaId: string, reason: string): Promise<void> {
  await tx.query(sql.unsafe`
    update app_public.media set status = 'unavailable', unavailable_reason = ${reason.slice(0, 500)}, thumbnail = null
    where id = ${mediaId} and status = 'pending'
  `);
}

/** Thrown for a failure worth another attempt (pg-boss retries with backoff; the last one ends unavailable). */
export class MediaFetchRetry extends Error {
  override name = 'MediaFetchRetry';
}

const storageUse = z.object({ usedBytes: z.coerce.number(), capBytes: z.coerce.number() });

/** Storage used and the plan's cap for the workspace in scope. */
export async function mediaStorage(tx: Tx) {
  return tx.one(sql.type(storageUse)`
    select used_bytes as "usedBytes", cap_bytes as "capBytes" from app_public.media_storage()
  `);
}

export const storageFullReason = (capBytes: number) =>
  `the workspace's media storage is full (the plan allows ${Math.round(capBytes / 1048576)} MB)`;

/**
 * The media.fetch job: asks Graph for the media's short-lived URL (GET /{media-id}), downloads it with
 * the channel's token, checks Meta's size limit, the workspace's storage cap and the sha256 Meta gave,
 * and stores the bytes (with a thumbnail for images) in one transaction. A media id Meta no longer
 * knows, an oversize file or a full workspace end the media as unavailable at once; network trouble,
 * Meta's transient errors and a checksum mismatch are retried (queueSettings['media.fetch']), and the
 * dead-letter worker ends the media as unavailable after the last retry.
 */
export async function fetchInboundMedia(services: AppServices, payload: MediaFetchPayload): Promise<void> {
  const { tenantId, mediaId } = payload;
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(services.pools.app, tenantId, fn);
  const pending = await inTenant(async (tx) => {
    const found = await loadPending(tx, mediaId);
    if (!found) return null;
    await tx.query(sql.unsafe`update app_public.media set attempts = attempts + 1 where id = ${mediaId}`);
    if (found.channelStatus === 'disabled')
      return { ...found, accessToken: null, ...(await mediaStorage(tx)) };
    return {
      ...found,
      accessToken: (await readSecrets(tx, services, found.channelId)).accessToken,
      ...(await mediaStorage(tx)),
    };
  });
  if (!pending) return; // stored, unavailable or deleted meanwhile: a duplicate job has nothing to do
  const giveUp = (reason: string) => inTenant((tx) => markUnavailable(tx, mediaId, reason));
  if (!pending.accessToken) return giveUp('the channel is disabled');

  const graph = channelGraph(services, pending, pending.accessToken);
  let described;
  try {
    described = await graph.getMediaUrl(pending.metaMediaId);
  } catch (error) {
    if (error instanceof GraphApiError && !error.retryable) {
      return giveUp(
        error.code === 100
          ? 'Meta no longer has this media (its id expired or was deleted)'
          : `Meta refused the download: ${error.message}`,
      );
    }
    throw error;
  }
  const limit = mediaLimits[pending.kind].maxBytes;
  if (described.file_size > limit)
    return giveUp(`the file (${described.file_size} bytes) exceeds WhatsApp's ${pending.kind} limit`);
  if (pending.usedBytes + described.file_size > pending.capBytes)
    return giveUp(storageFullReason(pending.capBytes));

  let bytes: Buffer;
  try {
    ({ bytes } = await graph.downloadMedia(described.url));
  } catch (error) {
    // An expired URL (404) gets a fresh one on the next attempt.
    throw error instanceof GraphApiError && error.retryable ? error : new MediaFetchRetry(describe(error));
  }
  if (bytes.length > limit)
    return giveUp(`the file (${bytes.length} bytes) exceeds WhatsApp's ${pending.kind} limit`);
  const digest = sha256(bytes);
  if (digest.toString('hex') !== described.sha256.toLowerCase())
    throw new MediaFetchRetry('the downloaded bytes do not match the sha256 Meta gave');
  const thumbnail = hasThumbnail(pending.kind) ? await makeThumbnail(bytes) : null;
  const durationMs =
    pending.kind === 'audio' || pending.kind === 'video' ? await mediaDurationMs(bytes) : null;
  try {
    await inTenant(async (tx) => {
      await writeChunks(tx, mediaId, bytes);
      await tx.query(sql.unsafe`
        update app_public.media set
          status = 'stored', stored_at = now(), byte_size = ${bytes.length}, sha256 = ${sql.binary(digest)},
          mime_type = ${described.mime_type.slice(0, 255)}, thumbnail = ${thumbnail ? sql.binary(thumbnail) : null},
          duration_ms = ${durationMs}
        where id = ${mediaId} and status = 'pending'
      `);
    });
  } catch (error) {
    if (isStorageFull(error)) return giveUp(storageFullReason(pending.capBytes));
    throw error;
  }
}

/** PY060 (sql/functions/90-media.sql) on the driver error, under slonik's wrapper. */
export function isStorageFull(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 4; depth++) {
    if ((current as { code?: unknown }).code === 'PY060') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** media.fetch.dead: the retries ran out; the thread shows the media as unavailable, with why. */
export async function giveUpFetch(services: AppServices, payload: MediaFetchPayload): Promise<void> {
  await withTenant(services.pools.app, payload.tenantId, (tx) =>
    markUnavailable(tx, payload.mediaId, 'the download kept failing; Meta may have expired the media'),
  );
}
