import { Badge, Box, Button, Center, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';
import { isNotice, MessageContent, NoticeContent } from './MessageContent.tsx';
import type { Message } from './types.ts';

interface SendError {
  message?: string;
  detail?: string;
  retrying?: boolean;
}

/**
 * Why a message is stuck or failed, from either shape Parley stores: its own ({message, detail}) or
 * Meta's errors array from a `failed` status ([{code, title, error_data: {details}}]).
 */
export function sendErrorOf(error: unknown): SendError {
  if (Array.isArray(error)) {
    const first = (error[0] ?? {}) as {
      code?: number;
      title?: string;
      message?: string;
      error_data?: { details?: string };
    };
    const title = first.title ?? first.message;
    return {
      ...(title ? { message: `${title}${first.code ? ` (${first.code})` : ''}` } : {}),
      ...(first.error_data?.details ? { detail: first.error_data.details } : {}),
    };
  }
  return typeof error === 'object' && error !== null ? error : {};
}

const ticks: Record<string, { glyph: string; label: string; color?: string }> = {
  pending: { glyph: '🕓', label: 'queued' },
  sent: { glyph: '✓', label: 'sent' },
  delivered: { glyph: '✓✓', label: 'delivered' },
  read: { glyph: '✓✓', label: 'read', color: 'blue' },
  played: { glyph: '✓✓', label: 'played', color: 'blue' },
  deleted: { glyph: '⊘', label: 'deleted' },
};

/** WhatsApp's ticks for an outbound message; a failure or a retry says why (also on hover). */
function OutboundStatus({ message }: { message: Message }) {
  const error = sendErrorOf(message.error);
  const reason = [error.message, error.detail && `(${error.detail})`].filter(Boolean).join(' ');
  if (message.status === 'pending' && error.retrying) {
    return (
      <Text size="xs" c="orange" data-testid="message-status" aria-label="retrying" title={reason}>
        retrying… {error.message}
      </Text>
    );
  }
  if (message.status === 'failed') {
    const text = `failed: ${error.message ?? 'Meta did not accept this message.'}${error.detail ? ` (${error.detail})` : ''}`;
    return (
      <Tooltip label={text} multiline maw={320} withinPortal>
        <Text size="xs" c="red" data-testid="message-status" aria-label="failed" title={text}>
          ⚠ {text}
        </Text>
      </Tooltip>
    );
  }
  const tick = ticks[message.status] ?? { glyph: '', label: message.status };
  return (
    <Text
      size="xs"
      c={tick.color ?? 'dimmed'}
      data-testid="message-status"
      aria-label={tick.label}
      title={tick.label}
      fw={600}
    >
      {tick.glyph}
    </Text>
  );
}

/** The message this one quotes (WhatsApp's reply context), or a note when it is not loaded. */
function QuotedMessage({ quoted }: { quoted: Message | null }) {
  return (
    <Box
      mb={4}
      px={6}
      py={2}
      data-testid="quoted-message"
      style={{
        borderLeft: '3px solid var(--mantine-color-teal-filled)',
        background: 'var(--mantine-color-default-hover)',
        borderRadius: 4,
      }}
    >
      <Text size="xs" c="dimmed" fw={600}>
        {quoted ? (quoted.direction === 'outbound' ? 'You' : 'Customer') : 'Reply to'}
      </Text>
      <Text size="xs" lineClamp={2}>
        {quoted ? (quoted.body ?? `[${quoted.type}]`) : 'an earlier message'}
      </Text>
    </Box>
  );
}

/**
 * The business's own reaction under a message (an agent's reaction is shown on the message it reacts
 * to, like the customer's, not as a message of its own): its emoji, dimmed until Meta has it, red with
 * Meta's reason when it failed. A removal that failed says so; one that went shows nothing.
 */
function OwnReaction({ reaction }: { reaction: NonNullable<Message['ownReaction']> }) {
  const failed = reaction.status === 'failed';
  const error = sendErrorOf(reaction.error);
  const label = failed
    ? `${reaction.emoji ? 'Your reaction' : 'Removing your reaction'} failed: ${error.message ?? 'Meta did not accept it.'}`
    : reaction.status === 'pending'
      ? `Your reaction ${reaction.emoji}, sending…`
      : `Your reaction ${reaction.emoji}`;
  return (
    <Tooltip label={label} multiline maw={280}>
      <Badge
        data-testid="own-reaction"
        data-status={reaction.status}
        aria-label={label}
        variant={failed ? 'outline' : 'light'}
        color={failed ? 'red' : 'teal'}
        size="lg"
        radius="xl"
        tt="none"
        fw={400}
        opacity={reaction.status === 'pending' ? 0.6 : 1}
      >
        {reaction.emoji ?? '⚠'}
      </Badge>
    </Tooltip>
  );
}

/**
 * One message as the thread shows it: its content by type, the message it replies to, time, ticks
 * and pricing category for the business's messages, and the reactions on it (the customer's and the
 * business's own).
 */
export function MessageBubble({
  message,
  quoted = null,
  onRetry,
  retrying,
  actions,
}: {
  message: Message;
  /** Per-message actions offered under the bubble (reply, react). */
  actions?: ReactNode;
  /** The message this one replies to, when it is loaded (message.quotedWamid). */
  quoted?: Message | null;
  /** Offered on failed replies Meta never accepted, to agents and above. */
  onRetry?: (() => void) | undefined;
  retrying?: boolean;
}) {
  if (isNotice(message)) {
    return (
      <Center data-testid="message" data-type={message.type}>
        <Paper px="sm" py={4} radius="xl" bg="var(--mantine-color-gray-light)" maw="90%" data-testid="notice">
          <NoticeContent message={message} />
        </Paper>
      </Center>
    );
  }
  const outbound = message.direction === 'outbound';
  const reactions = Object.entries(
    message.reactions.reduce<Record<string, number>>((counts, reaction) => {
      counts[reaction.emoji] = (counts[reaction.emoji] ?? 0) + 1;
      return counts;
    }, {}),
  );
  const own = message.ownReaction;
  const showOwn = own && (own.emoji || own.status === 'failed') ? own : null;
  return (
    <Group justify={outbound ? 'flex-end' : 'flex-start'} wrap="nowrap">
      <Stack gap={2} maw="80%" miw={0} align={outbound ? 'flex-end' : 'flex-start'}>
        <Paper
          p="xs"
          radius="md"
          withBorder
          bg={outbound ? 'var(--mantine-color-teal-light)' : 'var(--mantine-color-body)'}
          data-testid="message"
          data-type={message.type}
          maw="100%"
          miw={0}
        >
          {message.quotedWamid && <QuotedMessage quoted={quoted} />}
          <MessageContent message={message} />
          <Group gap={6} justify="flex-end" wrap="wrap" mt={2}>
            {outbound && message.pricingCategory && (
              <Badge
                size="xs"
                variant="outline"
                color="gray"
                tt="none"
                data-testid="pricing-category"
                title="Meta's pricing category"
              >
                {message.pricingCategory}
              </Badge>
            )}
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
        {actions}
        {(reactions.length > 0 || showOwn) && (
          <Group gap={4} data-testid="reactions" aria-label="Reactions">
            {reactions.map(([emoji, count]) => (
              <Badge key={emoji} variant="default" size="lg" radius="xl" tt="none" fw={400}>
                {emoji}
                {count > 1 ? ` ${count}` : ''}
              </Badge>
            ))}
            {showOwn && <OwnReaction reaction={showOwn} />}
          </Group>
        )}
      </Stack>
    </Group>
  );
}
