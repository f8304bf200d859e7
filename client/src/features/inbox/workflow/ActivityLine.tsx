import { Badge, Box, Text } from '@mantine/core';
import { describeActivity, type Activity } from './activity.ts';

/**
 * A small centred system line in the thread: who assigned, resolved, snoozed or labelled the
 * conversation, and when (the full date on hover). One paragraph, so a long line wraps between its
 * words; the time is glued to what precedes it (a no-break space, and nowrap), so it never starts a
 * line of its own with a dangling "·".
 */
export function ActivityLine({ activity }: { activity: Activity }) {
  const words = describeActivity(activity);
  if (!words) return null;
  const at = new Date(activity.createdAt);
  return (
    <Box data-testid="activity" py={2} px="md">
      <Text size="xs" c="dimmed" ta="center">
        <span data-testid="activity-words">{words.text}</span>
        {words.label && (
          <>
            {' '}
            <Badge size="xs" variant="light" color={words.label.color} style={{ verticalAlign: 'middle' }}>
              {words.label.name}
            </Badge>
          </>
        )}
        {'\u00a0'}
        <span data-testid="activity-time" title={at.toLocaleString()} style={{ whiteSpace: 'nowrap' }}>
          · {at.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
        </span>
      </Text>
    </Box>
  );
}
