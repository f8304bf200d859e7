import { ActionIcon, Button, Group, Paper, Progress, Stack, Text } from '@mantine/core';
import { formatBytes } from './format.ts';
import type { Attachment } from './useAttachments.ts';

/** The files waiting in the composer: upload progress, the reason a file was refused, retry and remove. */
export function AttachmentTray({
  items,
  onRetry,
  onRemove,
}: {
  items: Attachment[];
  onRetry: (key: string) => void;
  onRemove: (key: string) => void;
}) {
  if (items.length === 0) return null;
  return (
    <Stack gap={4} data-testid="attachments">
      {items.map((item) => (
        <Paper key={item.key} withBorder p={6} radius="sm" data-testid="attachment" data-state={item.state}>
          <Group gap="xs" wrap="nowrap">
            <Stack gap={2} flex={1} miw={0}>
              <Text size="sm" truncate>
                {item.voice ? 'Voice message' : item.file.name}{' '}
                <Text span size="xs" c="dimmed">
                  {formatBytes(item.file.size)}
                </Text>
              </Text>
              {item.state === 'uploading' && (
                <Progress
                  value={item.progress * 100}
                  size="sm"
                  aria-label={`Uploading ${item.file.name}`}
                  animated
                />
              )}
              {item.state === 'ready' && (
                <Text size="xs" c="teal">
                  Ready to send
                </Text>
              )}
              {item.state === 'failed' && (
                <Text size="xs" c="red">
                  {item.error}
                </Text>
              )}
            </Stack>
            {item.state === 'failed' &&
              !item.error?.startsWith('WhatsApp') &&
              !item.error?.includes('limit') && (
                <Button size="compact-xs" variant="light" onClick={() => onRetry(item.key)}>
                  Retry
                </Button>
              )}
            <ActionIcon
              variant="subtle"
              color="gray"
              aria-label={`Remove ${item.file.name}`}
              onClick={() => onRemove(item.key)}
            >
              ✕
            </ActionIcon>
          </Group>
        </Paper>
      ))}
    </Stack>
  );
}
