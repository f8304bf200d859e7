import { ActionIcon, Group, Popover, Tooltip, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { trpc } from '../../../trpc.ts';
import type { Message } from '../types.ts';

/** The reactions offered first, as WhatsApp does. */
export const quickReactions = ['👍', '❤️', '😂', '😮', '😢', '🙏'];

/**
 * Reply and react, under a message that reached WhatsApp (it has a wamid, so it can be quoted and
 * reacted to). "Remove" takes the business's reaction back (an empty emoji, as Meta specifies).
 */
export function MessageActions({
  message,
  conversationId,
  onReply,
}: {
  message: Message;
  conversationId: string;
  onReply: (message: Message) => void;
}) {
  const utils = trpc.useUtils();
  const [open, setOpen] = useState(false);
  const react = trpc.message.react.useMutation({
    onSuccess: () => {
      setOpen(false);
      void utils.message.list.invalidate({ conversationId });
    },
  });
  if (!message.wamid || message.type === 'reaction') return null;
  return (
    <Group gap={2} data-testid="message-actions">
      <Tooltip label="Quote it in your answer">
        <ActionIcon
          variant="subtle"
          color="gray"
          size="sm"
          aria-label="Quote this message"
          onClick={() => onReply(message)}
        >
          ↩
        </ActionIcon>
      </Tooltip>
      <Popover opened={open} onChange={setOpen} position="top" withArrow shadow="md">
        <Popover.Target>
          <ActionIcon
            variant="subtle"
            color="gray"
            size="sm"
            aria-label="React to this message"
            onClick={() => setOpen((value) => !value)}
          >
            ☺
          </ActionIcon>
        </Popover.Target>
        <Popover.Dropdown p={4}>
          <Group gap={2} wrap="nowrap">
            {quickReactions.map((emoji) => (
              <UnstyledButton
                key={emoji}
                aria-label={`React ${emoji}`}
                fz="lg"
                px={4}
                disabled={react.isPending}
                onClick={() => react.mutate({ conversationId, messageId: message.id, emoji })}
              >
                {emoji}
              </UnstyledButton>
            ))}
            <UnstyledButton
              aria-label="Remove reaction"
              fz="xs"
              px={4}
              c="dimmed"
              onClick={() => react.mutate({ conversationId, messageId: message.id, emoji: '' })}
            >
              Remove
            </UnstyledButton>
          </Group>
        </Popover.Dropdown>
      </Popover>
    </Group>
  );
}
