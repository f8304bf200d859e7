import { CloseButton, Group, Paper, Stack, Text } from '@mantine/core';
import type { Message } from '../types.ts';

/** The message a reply quotes, above the reply box, as WhatsApp shows it; × cancels the quote. */
export function QuoteBar({ message, onCancel }: { message: Message; onCancel?: (() => void) | undefined }) {
  return (
    <Paper
      withBorder
      p={6}
      radius="sm"
      data-testid="quote-bar"
      style={{ borderLeft: '4px solid var(--mantine-color-teal-6)' }}
    >
      <Group justify="space-between" wrap="nowrap" gap="xs">
        <Stack gap={0} miw={0}>
          <Text size="xs" fw={600} c="teal">
            Replying to {message.direction === 'inbound' ? 'the customer' : 'your message'}
          </Text>
          <Text size="xs" c="dimmed" truncate>
            {message.body ?? `[${message.type}]`}
          </Text>
        </Stack>
        {onCancel && <CloseButton size="sm" aria-label="Remove the quote" onClick={onCancel} />}
      </Group>
    </Paper>
  );
}
