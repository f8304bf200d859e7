import { Group, Loader, Text } from '@mantine/core';
import type { RouterOutputs } from '../../trpc.ts';
import { plural } from '../../components/plural.ts';

type Count = RouterOutputs['segment']['count'];

/** Who an audience reaches now, and who it leaves out (opted out, not on WhatsApp, no phone). */
export function AudienceCount({ count, loading }: { count: Count | undefined; loading?: boolean }) {
  if (!count) return loading ? <Loader size="xs" aria-label="Counting" /> : null;
  const left = [
    count.optedOut > 0 && `${count.optedOut} opted out`,
    count.notOnWhatsApp > 0 && `${count.notOnWhatsApp} not on WhatsApp`,
    count.noPhone > 0 && `${count.noPhone} without a phone number`,
  ].filter(Boolean);
  return (
    <Group gap="xs" wrap="wrap" data-testid="audience-count">
      <Text fw={600} size="sm">
        {plural(count.recipients, 'recipient', 'recipients')}
      </Text>
      {loading && <Loader size="xs" aria-label="Counting" />}
      {left.length > 0 && (
        <Text size="xs" c="dimmed">
          Left out: {left.join(', ')}
        </Text>
      )}
    </Group>
  );
}
