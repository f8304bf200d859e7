import {
  Alert,
  Badge,
  Box,
  Button,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Text,
  Textarea,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useState } from 'react';
import { formError } from '../../components/errors.ts';
import { CustomerPanel } from '../sandbox/CustomerPanel.tsx';
import { trpc } from '../../trpc.ts';

// Until realtime subscriptions land, the inbox refreshes itself every few seconds.
const refreshMs = 3000;

function Thread({
  conversationId,
  canSend,
  windowOpen,
}: {
  conversationId: string;
  canSend: boolean;
  windowOpen: boolean;
}) {
  const utils = trpc.useUtils();
  const messages = trpc.message.list.useQuery({ conversationId }, { refetchInterval: refreshMs });
  const send = trpc.message.send.useMutation({
    onSuccess: () => {
      setText('');
      void utils.message.list.invalidate({ conversationId });
      void utils.conversation.list.invalidate();
    },
  });
  const [text, setText] = useState('');
  const ordered = [...(messages.data ?? [])].reverse();
  return (
    <Stack h="100%" gap="sm">
      <ScrollArea h={480} type="auto">
        <Stack gap="xs" p="xs">
          {ordered.map((message) => (
            <Group key={message.id} justify={message.direction === 'outbound' ? 'flex-end' : 'flex-start'}>
              <Paper
                p="xs"
                radius="md"
                withBorder
                bg={message.direction === 'outbound' ? 'teal.0' : undefined}
                maw="75%"
                data-testid="message"
              >
                <Text size="sm">{message.body}</Text>
                <Text size="xs" c="dimmed" ta="right">
                  {new Date(message.occurredAt).toLocaleTimeString()}
                  {message.direction === 'outbound' && (
                    <span data-testid="message-status"> · {message.status}</span>
                  )}
                </Text>
              </Paper>
            </Group>
          ))}
        </Stack>
      </ScrollArea>
      {!windowOpen && (
        <Alert color="yellow">
          The customer has not written in the last 24 hours: only an approved template can be sent now.
        </Alert>
      )}
      {formError(send.error) && <Alert color="red">{formError(send.error)}</Alert>}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) send.mutate({ conversationId, text });
        }}
      >
        <Group align="flex-end">
          <Textarea
            flex={1}
            aria-label="Reply"
            placeholder={canSend ? 'Write a reply…' : 'Viewers cannot reply'}
            value={text}
            onChange={(e) => setText(e.currentTarget.value)}
            disabled={!canSend || !windowOpen}
            autosize
            minRows={1}
            maxRows={6}
          />
          <Button type="submit" loading={send.isPending} disabled={!canSend || !windowOpen}>
            Send
          </Button>
        </Group>
      </form>
    </Stack>
  );
}

/** Conversations (most recent first) beside the selected thread. */
export function InboxPage({ role }: { role: string }) {
  const utils = trpc.useUtils();
  const conversations = trpc.conversation.list.useQuery({}, { refetchInterval: refreshMs });
  const markRead = trpc.conversation.markRead.useMutation({
    onSuccess: () => void utils.conversation.list.invalidate(),
  });
  const [selected, setSelected] = useState<string | null>(null);
  const open = (id: string) => {
    setSelected(id);
    if (role !== 'viewer') markRead.mutate({ id });
  };
  const current = conversations.data?.find((c) => c.id === selected);
  return (
    <Group align="flex-start" gap="md" wrap="nowrap">
      <Stack w={320} gap={4}>
        <Title order={4}>Inbox</Title>
        {conversations.data?.length === 0 && (
          <Text c="dimmed">
            No conversations yet. Connect a channel, then customers&apos; messages appear here.
          </Text>
        )}
        {conversations.data?.map((conversation) => (
          <UnstyledButton
            key={conversation.id}
            onClick={() => open(conversation.id)}
            data-testid="conversation"
          >
            <Paper p="sm" withBorder bg={conversation.id === selected ? 'gray.1' : undefined}>
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
      </Stack>
      <Box flex={1}>
        {current ? (
          <Group align="flex-start" gap="md">
            <Box flex={1} miw={0}>
              <Thread
                conversationId={current.id}
                canSend={role !== 'viewer'}
                windowOpen={current.windowClosesAt !== null}
              />
            </Box>
            <CustomerPanel
              phoneNumberId={current.phoneNumberId}
              waId={current.contact.waId}
              name={current.contact.name}
            />
          </Group>
        ) : (
          <Text c="dimmed">Choose a conversation.</Text>
        )}
      </Box>
    </Group>
  );
}
