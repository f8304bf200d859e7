import {
  ActionIcon,
  Alert,
  Button,
  Checkbox,
  Group,
  Menu,
  Modal,
  Stack,
  Text,
  Textarea,
  Tooltip,
} from '@mantine/core';
import { useState, type ReactNode } from 'react';
import { maxTextLength } from '../../../../../server/domains/messages/schemas.ts';
import { fieldErrors, formError } from '../../../components/errors.ts';
import { trpc } from '../../../trpc.ts';
import { AttachmentTray } from '../media/AttachmentTray.tsx';
import { AttachButton, RecordVoiceButton } from '../media/MediaButtons.tsx';
import { useMediaSend } from '../media/useMediaSend.ts';
import type { Message } from '../types.ts';
import { QuoteBar } from './QuoteBar.tsx';
import { sendForms, sendKinds, type SendKind } from './SendForms.tsx';
import type { PlaceholderValues } from '../../../../../server/domains/cannedResponses/placeholders.ts';
import { useCannedResponseMenu } from '../../collaboration/CannedResponseMenu.tsx';

export interface ComposerProps {
  conversationId: string;
  /** The customer wrote in the last 24 hours: free-form messages may be sent. */
  windowOpen: boolean;
  /** The message this reply quotes (chosen from the thread), with a way to cancel it. */
  replyTo?: Message | null | undefined;
  onCancelReply?: (() => void) | undefined;
  /**
   * Slot for the template picker (templates). Shown in the toolbar; when the window is closed it is
   * the only way to write to the customer, and the free-form composer is disabled.
   */
  templatePicker?: ReactNode;
  /** What a canned response's placeholders ({{contact.name}}…) are filled with ("/" in the text box). */
  cannedValues?: PlaceholderValues | undefined;
}

/**
 * The reply area: a text box (Enter sends, Shift+Enter starts a new line, link preview on demand), a
 * "+" menu with the other send types (each a small form validated by the server's own schema), the
 * quoted message of a reply, and "mark read" (with "typing…" while the agent writes).
 */
export function Composer({
  conversationId,
  windowOpen,
  replyTo,
  onCancelReply,
  templatePicker,
  cannedValues = {},
}: ComposerProps) {
  const utils = trpc.useUtils();
  const [text, setText] = useState('');
  const [previewUrl, setPreviewUrl] = useState(false);
  const [kind, setKind] = useState<SendKind | null>(null);
  const canned = useCannedResponseMenu(text, setText, cannedValues);
  const sent = () => {
    onCancelReply?.();
    void utils.message.list.invalidate({ conversationId });
    void utils.conversation.list.invalidate();
  };
  const send = trpc.message.send.useMutation({
    onSuccess: () => {
      setText('');
      sent();
    },
  });
  const markRead = trpc.message.markRead.useMutation({
    onSuccess: () => void utils.conversation.list.invalidate(),
  });
  // Files and voice notes (media): uploaded as they are added, sent with the text as their caption.
  const media = useMediaSend(conversationId, () => setText(''));
  const replyToId = replyTo?.id;
  const submit = () => {
    if (media.ready.length > 0) media.sendReady(text);
    else if (text.trim() && !send.isPending)
      send.mutate({ conversationId, text, previewUrl, ...(replyToId ? { replyToId } : {}) });
  };
  const over = text.length > maxTextLength;
  const hasLink = /https?:\/\/\S/.test(text);
  const Form = kind ? sendForms[kind] : null;
  if (!windowOpen) {
    // Outside the 24-hour window WhatsApp accepts only templates: the picker is all the composer offers.
    return (
      <Stack gap={4} data-testid="composer">
        <Alert color="yellow" data-testid="window-closed">
          The customer has not written in the last 24 hours: only an approved template can be sent now.
        </Alert>
        {templatePicker}
      </Stack>
    );
  }
  return (
    <Stack gap={4} data-testid="composer" {...media.dropTarget}>
      {replyTo && <QuoteBar message={replyTo} onCancel={onCancelReply} />}
      {formError(send.error, ['text']) && <Alert color="red">{formError(send.error, ['text'])}</Alert>}
      {markRead.error && <Alert color="red">{markRead.error.message}</Alert>}
      {media.error && <Alert color="red">{media.error}</Alert>}
      <AttachmentTray items={media.items} onRetry={media.retry} onRemove={media.remove} />
      {canned.menu}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Group align="flex-end" wrap="nowrap" gap="xs">
          <Menu position="top-start" withinPortal>
            <Menu.Target>
              <Tooltip label="Buttons, list, link, location, contact">
                <ActionIcon
                  variant="default"
                  size="lg"
                  aria-label="More message types"

                  data-testid="send-menu"
                >
                  +
                </ActionIcon>
              </Tooltip>
            </Menu.Target>
            <Menu.Dropdown>
              {(Object.keys(sendKinds) as SendKind[]).map((key) => (
                <Menu.Item key={key} onClick={() => setKind(key)}>
                  {sendKinds[key]}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
          <Textarea
            {...canned.textarea}
            flex={1}
            miw={0}
            aria-label="Reply"
            placeholder={media.ready.length > 0 ? 'Add a caption…' : 'Write a reply…'}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            onKeyDown={(event) => {
              if (canned.onKeyDown(event)) return;
              if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                submit();
              }
            }}
            error={fieldErrors(send.error).text}

            autosize
            minRows={1}
            maxRows={6}
          />
          <AttachButton onFiles={(files) => media.add(files)} />
          <RecordVoiceButton onRecorded={(file) => media.add([file], { voice: true })} />
          <Button type="submit" loading={send.isPending || media.sending} disabled={media.busy}>
            Send
          </Button>
        </Group>
      </form>
      <Group justify="space-between" gap="xs" wrap="wrap">
        <Group gap="xs" wrap="wrap">
          {templatePicker}
          {hasLink && (
            <Checkbox
              size="xs"
              label="Show link preview"
              checked={previewUrl}
              onChange={(event) => setPreviewUrl(event.currentTarget.checked)}
            />
          )}
          <Button
            size="compact-xs"
            variant="subtle"
            loading={markRead.isPending}
            onClick={() => markRead.mutate({ conversationId, typing: text.length > 0 })}
          >
            Mark read{text.length > 0 ? ' · typing…' : ''}
          </Button>
        </Group>
        <Text size="xs" c={over ? 'red' : 'dimmed'} data-testid="reply-length" ml="auto">
          {text.length.toLocaleString('en')} / {maxTextLength.toLocaleString('en')}
          {over ? ' — too long for WhatsApp' : ''}
        </Text>
      </Group>
      <Modal
        opened={kind !== null}
        onClose={() => setKind(null)}
        title={kind ? sendKinds[kind] : ''}
        centered
      >
        {replyTo && <QuoteBar message={replyTo} />}
        {Form && (
          <Form
            conversationId={conversationId}
            replyToId={replyToId}
            onSent={() => {
              setKind(null);
              sent();
            }}
          />
        )}
      </Modal>
    </Stack>
  );
}
