import { Badge, Button, Group, Paper, Stack, Text } from '@mantine/core';
import { MediaContent } from './media/MediaContent.tsx';
import type { Message } from './types.ts';

interface SendError {
  message?: string;
  detail?: string;
  retrying?: boolean;
}

const asSendError = (error: unknown): SendError => (typeof error === 'object' && error !== null ? error : {});

/** What an outbound message's status means to the agent, with the reason when it is stuck or failed. */
function OutboundStatus({ message }: { message: Message }) {
  const error = asSendError(message.error);
  if (message.status === 'pending') {
    return error.retrying ? (
      <Text size="xs" c="orange" data-testid="message-status">
        retrying… {error.message}
      </Text>
    ) : (
      <Text size="xs" c="dimmed" data-testid="message-status">
        sending…
      </Text>
    );
  }
  if (message.status === 'failed') {
    return (
      <Text size="xs" c="red" data-testid="message-status">
        failed: {error.message ?? 'Meta did not accept this message.'}
        {error.detail ? ` (${error.detail})` : ''}
      </Text>
    );
  }
  return (
    <Text size="xs" c="dimmed" data-testid="message-status">
      {message.status}
    </Text>
  );
}

/** One message: text (or its type), time, delivery status for replies, and the customer's reactions. */
export function MessageBubble({
  message,
  onRetry,
  retrying,
}: {
  message: Message;
  /** Offered on failed replies Meta never accepted, to agents and above. */
  onRetry?: (() => void) | undefined;
  retrying?: boolean;
}) {
  const outbound = message.direction === 'outbound';
  const reactions = Object.entries(
    message.reactions.reduce<Record<string, number>>((counts, reaction) => {
      counts[reaction.emoji] = (counts[reaction.emoji] ?? 0) + 1;
      return counts;
    }, {}),
  );
  return (
    <Group justify={outbound ? 'flex-end' : 'flex-start'} wrap="nowrap">
      <Stack gap={2} maw="80%" miw={0} align={outbound ? 'flex-end' : 'flex-start'}>
        <Paper
          p="xs"
          radius="md"
          withBorder
          bg={outbound ? 'var(--mantine-color-teal-light)' : 'var(--mantine-color-body)'}
          data-testid="message"
          maw="100%"
        >
          <MediaContent message={message} />
          {(message.body !== null || !message.media) && (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              {message.body ?? `[${message.type}]`}
            </Text>
          )}
          <Group gap={6} justify="flex-end" wrap="wrap">
            <Text size="xs" c="dimmed">
              {new Date(message.occurredAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
            </Text>
            {outbound && <OutboundStatus message={message} />}
          </Group>
          {outbound && message.status === 'failed' && onRetry && (
            <Button size="compact-xs" variant="light" color="red" mt={4} onClick={onRetry} loading={retrying}>
              Send again
            </Button>
          )}
        </Paper>
        {reactions.length > 0 && (
          <Group gap={4} data-testid="reactions" aria-label="Reactions">
            {reactions.map(([emoji, count]) => (
              <Badge key={emoji} variant="default" size="lg" radius="xl" tt="none" fw={400}>
                {emoji}
                {count > 1 ? ` ${count}` : ''}
              </Badge>
            ))}
          </Group>
        )}
      </Stack>
    </Group>
  );
}
