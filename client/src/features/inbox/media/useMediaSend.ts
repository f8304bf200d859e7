import type { ClipboardEvent, DragEvent } from 'react';
import { useState } from 'react';
import { trpc } from '../../../trpc.ts';
import { useAttachments } from './useAttachments.ts';

const captioned = new Set(['image', 'video', 'document']);

/**
 * The composer's media: attachments (picker, paste, drag and drop) uploaded as they are added, and
 * sending the ready ones — the reply text goes as the caption of the first file that takes one.
 */
export function useMediaSend(conversationId: string, onSent: () => void) {
  const utils = trpc.useUtils();
  const attachments = useAttachments();
  const send = trpc.media.send.useMutation();
  const [error, setError] = useState<string | null>(null);
  const [sending, setSending] = useState(false);

  const sendReady = (text: string) => {
    if (sending) return;
    setSending(true);
    setError(null);
    void (async () => {
      let caption = text.trim() ? text : undefined;
      const sent: string[] = [];
      try {
        for (const item of attachments.ready) {
          const upload = item.uploaded!;
          const withCaption = caption && captioned.has(upload.kind) ? caption : undefined;
          await send.mutateAsync({
            conversationId,
            mediaId: upload.id,
            ...(withCaption ? { caption: withCaption } : {}),
          });
          if (withCaption) caption = undefined;
          sent.push(item.key);
        }
        if (caption) await utils.client.message.send.mutate({ conversationId, text: caption });
        onSent();
      } catch (cause) {
        setError(cause instanceof Error ? cause.message : String(cause));
      } finally {
        attachments.clear(sent);
        setSending(false);
        void utils.message.list.invalidate({ conversationId });
        void utils.conversation.list.invalidate();
      }
    })();
  };

  const dropTarget = {
    onDragOver: (event: DragEvent) => {
      if (event.dataTransfer.types.includes('Files')) event.preventDefault();
    },
    onDrop: (event: DragEvent) => {
      if (event.dataTransfer.files.length === 0) return;
      event.preventDefault();
      attachments.add([...event.dataTransfer.files]);
    },
    onPaste: (event: ClipboardEvent) => {
      const files = [...event.clipboardData.files];
      if (files.length === 0) return;
      event.preventDefault();
      attachments.add(files);
    },
  };

  return { ...attachments, sendReady, sending, error, dropTarget };
}
