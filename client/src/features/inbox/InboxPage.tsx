import {
  Badge,
  Box,
  Button,
  Center,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { can } from '../../components/roles.ts';
import { CustomerPanel, CustomerPanelDrawer } from '../sandbox/CustomerPanel.tsx';
import { trpc } from '../../trpc.ts';
import { Thread } from './Thread.tsx';
import { nextCursor, pageSize, refreshMs, uniqueById, type Conversation } from './types.ts';

/** The page fills the screen below the header; lists and the thread scroll inside it. */
const pageHeight = 'calc(100dvh - var(--app-shell-header-height, 56px) - 2 * var(--mantine-spacing-md))';

function useConversations() {
  return trpc.conversation.list.useInfiniteQuery(
    { limit: pageSize },
    { getNextPageParam: nextCursor, refetchInterval: refreshMs },
  );
}

function ConversationList({
  conversations,
  selected,
  onOpen,
}: {
  conversations: ReturnType<typeof useConversations>;
  selected: string | null;
  onOpen: (conversation: Conversation) => void;
}) {
  const items = uniqueById(conversations.data?.pages);
  const more = () => {
    if (conversations.hasNextPage && !conversations.isFetchingNextPage) void conversations.fetchNextPage();
  };
  return (
    <Stack gap={4} h="100%" miw={0}>
      <Title order={4}>Inbox</Title>
      {conversations.data && items.length === 0 && (
        <Text c="dimmed">
          No conversations yet. Connect a channel, then customers&apos; messages appear here.
        </Text>
      )}
      <ScrollArea flex={1} mih={0} type="auto" onBottomReached={more}>
        <Stack gap={4}>
          {items.map((conversation) => (
            <UnstyledButton
              key={conversation.id}
              onClick={() => onOpen(conversation)}
              data-testid="conversation"
            >
              <Paper
                p="sm"
                withBorder
                bg={conversation.id === selected ? 'var(--mantine-color-default-hover)' : undefined}
              >
                <Group justify="space-between" wrap="nowrap">
                  <Text fw={600} size="sm" truncate>
                    {conversation.contact.name ?? conversation.contact.waId ?? conversation.contact.bsuid}
                  </Text>
                  {conversation.unreadCount > 0 && <Badge size="sm">{conversation.unreadCount}</Badge>}
                </Group>
                <Text size="xs" c="dimmed" truncate>
                  {conversation.lastMessagePreview}
                </Text>
              </Paper>
            </UnstyledButton>
          ))}
          {conversations.hasNextPage && (
            <Center>
              <Button variant="subtle" size="xs" onClick={more} loading={conversations.isFetchingNextPage}>
                Load more conversations
              </Button>
            </Center>
          )}
        </Stack>
      </ScrollArea>
    </Stack>
  );
}

/**
 * Conversations (most recent first) beside the selected thread; on a phone, the list or the thread
 * with a way back.
 */
export function InboxPage({ role }: { role: string }) {
  const utils = trpc.useUtils();
  const phone = useMediaQuery('(max-width: 47.99em)');
  const markRead = trpc.conversation.markRead.useMutation({
    onSuccess: () => void utils.conversation.list.invalidate(),
  });
  const conversations = useConversations();
  const [selected, setSelected] = useState<Conversation | null>(null);
  // The list refreshes itself: show the selected conversation as it is now (window, name).
  const current = uniqueById(conversations.data?.pages).find((c) => c.id === selected?.id) ?? selected;
  const open = (conversation: Conversation) => {
    setSelected(conversation);
    if (can(role, 'agent') && conversation.unreadCount > 0) markRead.mutate({ id: conversation.id });
  };
  const list = (
    <ConversationList conversations={conversations} selected={current?.id ?? null} onOpen={open} />
  );
  const thread = current ? (
    <Thread
      key={current.id}
      conversation={current}
      role={role}
      onBack={phone ? () => setSelected(null) : undefined}
    />
  ) : (
    <Text c="dimmed">Choose a conversation.</Text>
  );
  if (phone && current) {
    return (
      <Stack h={pageHeight} gap="xs">
        <Box flex={1} mih={0}>
          {thread}
        </Box>
        <CustomerPanelDrawer
          phoneNumberId={current.phoneNumberId}
          waId={current.contact.waId}
          name={current.contact.name}
        />
      </Stack>
    );
  }
  if (phone) return <Box h={pageHeight}>{list}</Box>;
  return (
    <Group align="stretch" gap="md" wrap="nowrap" h={pageHeight}>
      <Box w={320} miw={260}>
        {list}
      </Box>
      <Box flex={1} miw={0}>
        {thread}
      </Box>
      {current && (
        <CustomerPanel
          phoneNumberId={current.phoneNumberId}
          waId={current.contact.waId}
          name={current.contact.name}
        />
      )}
    </Group>
  );
}
