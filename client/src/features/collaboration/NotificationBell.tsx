import {
  ActionIcon,
  Button,
  Group,
  Indicator,
  Popover,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { notePlainText } from '../../../../server/domains/notes/mentions.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { usePollWhileOffline } from '../realtime/live.ts';

type Item = RouterOutputs['notification']['list']['items'][number];

function describe(item: Item): string {
  if (item.kind === 'webhook_disabled')
    return `Webhook endpoint ${item.webhookEndpointUrl ?? ''} failed for 24 hours and was disabled`;
  const conversation = item.conversationName ?? 'a conversation';
  if (item.kind === 'mention') return `${item.actorName ?? 'Someone'} mentioned you · ${conversation}`;
  return item.actorName
    ? `${item.actorName} assigned you ${conversation}`
    : `${conversation} was assigned to you (round robin)`;
}

/**
 * The bell in the header: how many notifications (mentions, assignments) are unread, and the latest
 * ones; opening one goes to its conversation and marks it read. Kept live by notification.created
 * events (client/src/features/realtime/LiveUpdates.tsx), which reach only their recipient.
 */
export function NotificationBell() {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const [opened, setOpened] = useState(false);
  const list = trpc.notification.list.useQuery(undefined, { refetchInterval: usePollWhileOffline() });
  const markRead = trpc.notification.markRead.useMutation({
    onSettled: () => void utils.notification.list.invalidate(),
  });
  const unread = list.data?.unread ?? 0;
  const items = list.data?.items ?? [];
  return (
    <Popover
      opened={opened}
      onChange={setOpened}
      position="bottom-end"
      width="min(22rem, calc(100vw - 1.5rem))"
      shadow="md"
    >
      <Popover.Target>
        <Indicator
          label={unread > 99 ? '99+' : unread}
          size={16}
          disabled={unread === 0}
          color="red"
          offset={6}
        >
          <ActionIcon
            variant="subtle"
            size="lg"
            onClick={() => setOpened((open) => !open)}
            aria-label={unread > 0 ? `Notifications, ${unread} unread` : 'Notifications'}
            title="Notifications"
            data-testid="notification-bell"
          >
            <svg
              width="20"
              height="20"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              strokeLinecap="round"
              strokeLinejoin="round"
              aria-hidden
            >
              <path d="M18 8a6 6 0 0 0-12 0c0 7-3 9-3 9h18s-3-2-3-9M13.7 21a2 2 0 0 1-3.4 0" />
            </svg>
          </ActionIcon>
        </Indicator>
      </Popover.Target>
      <Popover.Dropdown p="xs">
        <Group justify="space-between" mb={4}>
          <Text fw={600} size="sm">
            Notifications
          </Text>
          <Button
            size="compact-xs"
            variant="subtle"
            disabled={unread === 0}
            onClick={() => markRead.mutate({})}
          >
            Mark all read
          </Button>
        </Group>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed" py="sm">
            Nothing yet. You are told here when a teammate mentions you in a note or assigns you a
            conversation.
          </Text>
        ) : (
          <ScrollArea.Autosize mah={360} type="auto">
            <Stack gap={2} data-testid="notifications">
              {items.map((item) => {
                const names = new Map(item.mentions.map((m) => [m.id, m.name]));
                return (
                  <UnstyledButton
                    key={item.id}
                    p="xs"
                    data-testid="notification"
                    data-unread={item.readAt === null}
                    style={{
                      borderRadius: 'var(--mantine-radius-sm)',
                      background: item.readAt === null ? 'var(--mantine-color-blue-light)' : undefined,
                    }}
                    onClick={() => {
                      setOpened(false);
                      if (item.readAt === null) markRead.mutate({ ids: [item.id] });
                      void navigate(
                        item.conversationId ? `/inbox/${item.conversationId}` : '/settings/webhooks',
                      );
                    }}
                  >
                    <Text size="sm" fw={item.readAt === null ? 600 : 400}>
                      {describe(item)}
                    </Text>
                    {item.noteBody && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {notePlainText(item.noteBody, (id) => names.get(id) ?? null)}
                      </Text>
                    )}
                    <Text size="xs" c="dimmed">
                      {new Date(item.createdAt).toLocaleString([], {
                        month: 'short',
                        day: 'numeric',
                        hour: '2-digit',
                        minute: '2-digit',
                      })}
                    </Text>
                  </UnstyledButton>
                );
              })}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Popover.Dropdown>
    </Popover>
  );
}
