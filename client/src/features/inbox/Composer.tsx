import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { fieldErrors, formError } from '../../components/errors.ts';
import { trpc } from '../../trpc.ts';
import { AttachmentTray } from './media/AttachmentTray.tsx';
import { AttachButton, RecordVoiceButton } from './media/MediaButtons.tsx';
import { useMediaSend } from './media/useMediaSend.ts';

/** Meta's limit for a text message (the server checks it too, with the same sentence). */
const maxLength = 4096;

/** The reply box: Enter sends, Shift+Enter starts a new line; counts characters against WhatsApp's limit. */
export function Composer({ conversationId, windowOpen }: { conversationId: string; windowOpen: boolean }) {
  const utils = trpc.useUtils();
  const [text, setText] = useState('');
  const send = trpc.message.send.useMutation({
    onSuccess: () => {
      setText('');
      void utils.message.list.invalidate({ conversationId });
      void utils.conversation.list.invalidate();
    },
  });
  const media = useMediaSend(conversationId, () => setText(''));
  const submit = () => {
    if (media.ready.length > 0) media.sendReady(text);
    else if (text.trim() && !send.isPending) send.mutate({ conversationId, text });
  };
  const over = text.length > maxLength;
  return (
    <Stack gap={4} {...media.dropTarget}>
      {!windowOpen && (
        <Alert color="yellow">
          The customer has not written in the last 24 hours: only an approved template can be sent now.
        </Alert>
      )}
      {formError(send.error, ['text']) && <Alert color="red">{formError(send.error, ['text'])}</Alert>}
      {media.error && <Alert color="red">{media.error}</Alert>}
      <AttachmentTray items={media.items} onRetry={media.retry} onRemove={media.remove} />
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Group align="flex-end" wrap="nowrap" gap="xs">
          <Textarea
            flex={1}
            miw={0}
            aria-label="Reply"
            placeholder={media.ready.length > 0 ? 'Add a caption…' : 'Write a reply…'}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                submit();
              }
            }}
            error={fieldErrors(send.error).text}
            disabled={!windowOpen}
            autosize
            minRows={1}
            maxRows={6}
          />
          <AttachButton onFiles={(files) => media.add(files)} disabled={!windowOpen} />
          <RecordVoiceButton
            onRecorded={(file) => media.add([file], { voice: true })}
            disabled={!windowOpen}
          />
          <Button
            type="submit"
            loading={send.isPending || media.sending}
            disabled={!windowOpen || media.busy}
          >
            Send
          </Button>
        </Group>
      </form>
      <Group justify="space-between" gap="xs">
        <Text size="xs" c="dimmed" visibleFrom="sm">
          Enter sends, Shift+Enter starts a new line
        </Text>
        <Text size="xs" c={over ? 'red' : 'dimmed'} data-testid="reply-length" ml="auto">
          {text.length.toLocaleString('en')} / {maxLength.toLocaleString('en')}
          {over ? ' — too long for WhatsApp' : ''}
        </Text>
      </Group>
    </Stack>
  );
}
