import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { text } from '../../trpc/text.ts';
import type { GraphClient } from '../../whatsapp/graph-client.ts';
import type { Outbox } from '../../jobs/outbox.ts';
import type { MessageObject } from '../messages/payload-builders.ts';
import { queueOutboundMessage } from '../messages/service.ts';
import { defaultFilename } from './disposition.ts';
import type { pendingUploadRow } from './queries.ts';
import { attachedMedia, attachMedia, mediaKind, pendingUpload, recordMetaUpload } from './queries.ts';
import { readChunks, streamChunks } from './storage.ts';

/** Meta's limit for a media caption (image, video, document). */
export const maxCaptionLength = 1024;

export const sendMediaInput = z.object({
  conversationId: z.uuid(),
  /** An upload from POST /media, not yet sent. */
  mediaId: z.uuid(),
  caption: text({
    min: 1,
    max: maxCaptionLength,
    tooShort: 'Write a caption or leave it out.',
    tooLong: `A caption can have at most ${maxCaptionLength} characters.`,
  }).optional(),
  /** Quotes an earlier message of the conversation, as every send may. */
  replyToId: z.uuid().optional(),
});

const previews: Record<z.infer<typeof mediaKind>, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  sticker: 'Sticker',
};

/**
 * Queues a media reply through the one outbox path every send takes (queueOutboundMessage: the
 * window, the pending row, the message.send job, answered `queued`): the agent's upload is attached
 * to the message in the same transaction, and message.send uploads it to Meta and sends it by media
 * id. Captions go with images, videos and documents only, as WhatsApp shows them; a voice note goes
 * as `audio.voice`; an upload is sent once.
 */
export async function queueMediaMessage(
  tx: Tx,
  outbox: Outbox,
  input: z.infer<typeof sendMediaInput> & { tenantId: string; requestId?: string | undefined },
): Promise<{ id: string; status: 'queued' }> {
  const upload = await tx.maybeOne(pendingUpload(input.mediaId));
  if (!upload) {
    throw new TRPCError({
      code: 'NOT_FOUND',
      message: 'No such upload waiting to be sent (it may have been sent already).',
    });
  }
  const caption = ['image', 'video', 'document'].includes(upload.kind) ? input.caption : undefined;
  if (input.caption && !caption) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: `WhatsApp shows no caption with a ${upload.kind}.` });
  }
  const queued = await queueOutboundMessage(tx, outbox, {
    tenantId: input.tenantId,
    conversationId: input.conversationId,
    contextMessageId: input.replyToId,
    built: {
      message: mediaMessage(upload, caption),
      preview: caption ?? (upload.voice ? 'Voice message' : previews[upload.kind]),
    },
    body: caption ?? null,
    requestId: input.requestId,
  });
  await tx.query(attachMedia(input.mediaId, queued.id));
  return queued;
}

/** Meta's message object for an upload; its media id is filled in when message.send has uploaded it. */
function mediaMessage(upload: z.infer<typeof pendingUploadRow>, caption: string | undefined): MessageObject {
  switch (upload.kind) {
    case 'image':
      return { type: 'image', image: caption ? { caption } : {} };
    case 'video':
      return { type: 'video', video: caption ? { caption } : {} };
    case 'document':
      return {
        type: 'document',
        document: {
          ...(caption ? { caption } : {}),
          filename: upload.filename ?? defaultFilename(upload.kind, upload.mimeType),
        },
      };
    case 'audio':
      return { type: 'audio', audio: upload.voice ? { voice: true } : {} };
    case 'sticker':
      return { type: 'sticker', sticker: {} };
  }
}

/**
 * The message's body for Graph with its media id: the file is uploaded (POST /{phone-number-id}/media)
 * the first time, and again once Meta's id is near its 30-day expiry; the id is recorded so a retry
 * sends without uploading twice. Other messages come back as they are.
 */
export async function withMetaMediaId(
  inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  graph: GraphClient,
  message: { id: string; phoneNumberId: string; content: unknown },
): Promise<unknown> {
  const content = message.content as Record<string, unknown> & { type?: string };
  const type = content.type;
  if (!type || !mediaKind.safeParse(type).success) return content;
  const body = (content[type] ?? {}) as Record<string, unknown>;
  if (body.id || body.link) return content;
  const attached = await inTenant((tx) => tx.maybeOne(attachedMedia(message.id)));
  if (!attached) throw new MediaGone('The file of this message is no longer stored; upload it again.');
  let metaId = attached.fresh ? attached.metaMediaId : null;
  if (!metaId) {
    // Streamed from the chunks to Graph: the file is never gathered in memory.
    const [head] = await inTenant((tx) => readChunks(tx, attached.id, 0, 0));
    ({ id: metaId } = await graph.uploadMedia(message.phoneNumberId, {
      size: attached.byteSize,
      head: head?.data ?? Buffer.alloc(0),
      chunks: () => streamChunks(inTenant, attached.id),
      mimeType: attached.mimeType,
      filename: attached.filename ?? defaultFilename(attached.kind, attached.mimeType),
    }));
    const uploaded = metaId;
    await inTenant((tx) => tx.query(recordMetaUpload(attached.id, uploaded)));
  }
  return { ...content, [type]: { ...body, id: metaId } };
}

/** The upload a media message refers to was deleted (retention, erase): the send fails for good. */
export class MediaGone extends Error {
  override name = 'MediaGone';
}
