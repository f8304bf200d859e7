import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import type { Tx } from '../../db/tx.ts';
import { text } from '../../trpc/text.ts';
import type { GraphClient } from '../../whatsapp/graph-client.ts';
import { replyableConversation } from '../messages/service.ts';
import { defaultFilename } from './disposition.ts';
import {
  attachedMedia,
  attachMedia,
  conversationSentMedia,
  insertPendingMediaMessage,
  mediaKind,
  pendingUpload,
  recordMetaUpload,
} from './queries.ts';
import { readAllBytes } from './storage.ts';

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
});

const previews: Record<z.infer<typeof mediaKind>, string> = {
  image: 'Photo',
  video: 'Video',
  audio: 'Audio',
  document: 'Document',
  sticker: 'Sticker',
};

/**
 * Queues a media reply: the agent's upload becomes a pending message (the outbox entry message.send
 * delivers), sent by Meta media id with its caption. Captions go with images, videos and documents
 * only, as WhatsApp shows them; an upload is sent once.
 */
export async function createMediaMessage(
  tx: Tx,
  input: { tenantId: string; conversationId: string; mediaId: string; caption?: string | undefined },
): Promise<string> {
  const { waId } = await replyableConversation(tx, input.conversationId);
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
  const media: Record<string, string> = {};
  if (caption) media.caption = caption;
  if (upload.kind === 'document')
    media.filename = upload.filename ?? defaultFilename(upload.kind, upload.mimeType);
  const content = {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: waId,
    type: upload.kind,
    [upload.kind]: media,
  };
  const preview = caption ?? (upload.voice ? 'Voice message' : previews[upload.kind]);
  const id = await tx.oneFirst(
    insertPendingMediaMessage({
      tenantId: input.tenantId,
      conversationId: input.conversationId,
      kind: upload.kind,
      caption: caption ?? null,
      content,
    }),
  );
  await tx.query(attachMedia(input.mediaId, id));
  await tx.query(conversationSentMedia(input.conversationId, preview));
  return id;
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
    const bytes = await inTenant((tx) => readAllBytes(tx, attached.id));
    ({ id: metaId } = await graph.uploadMedia(message.phoneNumberId, {
      bytes,
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
