import { Badge, Group, Text } from '@mantine/core';
import { describeActivity, type Activity } from './activity.ts';

/**
 * A small centred system line in the thread: who assigned, resolved, snoozed or labelled the
 * conversation, and when (the full date on hover).
 */
export function ActivityLine({ activity }: { activity: Activity }) {
  const words = describeActivity(activity);
  if (!words) return null;
  const at = new Date(activity.createdAt);
  return (
    <Group justify="center" gap={6} wrap="wrap" data-testid="activity" py={2}>
      <Text size="xs" c="dimmed" ta="center">
        {words.text}
      </Text>
      {words.label && (
        <Badge size="xs" variant="light" color={words.label.color}>
          {words.label.name}
        </Badge>
      )}
      <Text size="xs" c="dimmed" title={at.toLocaleString()}>
        · {at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
      </Text>
    </Group>
  );
}
