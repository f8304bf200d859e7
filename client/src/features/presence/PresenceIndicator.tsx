import { Avatar, Box, Group, Text, Tooltip } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { trpc } from '../../trpc.ts';
import { useMe } from '../session/session.ts';
import { usePresenceStatus, useTeamPresence } from './store.ts';

const dotColor = {
  online: 'var(--mantine-color-green-6)',
  away: 'var(--mantine-color-yellow-5)',
  offline: 'var(--mantine-color-gray-5)',
} as const;

const statusWord = { online: 'Online', away: 'Away', offline: 'Offline' } as const;

/** A member's presence as a small dot: green online, yellow away, grey offline (with its word for screen readers). */
export function PresenceDot({ userId }: { userId: string }) {
  const status = usePresenceStatus(userId);
  return (
    <Box
      component="span"
      role="img"
      aria-label={statusWord[status]}
      title={statusWord[status]}
      data-presence={status}
      display="inline-block"
      w={8}
      h={8}
      style={{ borderRadius: '50%', background: dotColor[status], flex: 'none' }}
    />
  );
}

const initials = (name: string) =>
  name
    .split(/\s+/)
    .filter(Boolean)
    .slice(0, 2)
    .map((word) => word[0]?.toUpperCase())
    .join('');

/** "Ana", "Ana and Ben", "Ana, Ben and 2 others". */
function names(list: readonly string[]): string {
  if (list.length <= 2) return list.join(' and ');
  return `${list.slice(0, 2).join(', ')} and ${list.length - 2} other${list.length === 3 ? '' : 's'}`;
}

/**
 * Teammates with this conversation open, in the thread header: their avatars, and "Ana is viewing" or
 * "Ana is typing…" (typing wins). Nothing when nobody else is here.
 */
export function PresenceIndicator({ conversationId }: { conversationId: string }) {
  const me = useMe().data?.user.id;
  const members = trpc.member.list.useQuery();
  const here = useTeamPresence().filter((p) => p.userId !== me && p.viewing.includes(conversationId));
  // A teammate who joined after the members were loaded: load them again, once per such member.
  const unknown = here.find((p) => members.data && !members.data.some((m) => m.userId === p.userId))?.userId;
  const reloadedFor = useRef<string | undefined>(undefined);
  const { refetch } = members;
  useEffect(() => {
    if (!unknown || reloadedFor.current === unknown) return;
    reloadedFor.current = unknown;
    void refetch();
  }, [unknown, refetch]);
  if (here.length === 0) return null;
  const nameOf = (userId: string) =>
    members.data?.find((m) => m.userId === userId)?.displayName ?? 'A teammate';
  const typing = here.filter((p) => p.typing.includes(conversationId)).map((p) => nameOf(p.userId));
  const viewing = here.map((p) => nameOf(p.userId));
  const sentence =
    typing.length > 0
      ? `${names(typing)} ${typing.length === 1 ? 'is' : 'are'} typing…`
      : `${names(viewing)} ${viewing.length === 1 ? 'is' : 'are'} viewing`;
  return (
    <Group gap={6} wrap="nowrap" data-testid="presence" aria-live="polite">
      <Avatar.Group spacing="xs">
        {here.slice(0, 3).map((p) => (
          <Tooltip key={p.userId} label={`${nameOf(p.userId)} (${p.status})`} withArrow>
            <Avatar
              size="sm"
              radius="xl"
              color={p.status === 'online' ? 'teal' : 'gray'}
              alt={nameOf(p.userId)}
            >
              {initials(nameOf(p.userId))}
            </Avatar>
          </Tooltip>
        ))}
      </Avatar.Group>
      <Text size="xs" c="dimmed" fs={typing.length > 0 ? 'italic' : undefined} truncate>
        {sentence}
      </Text>
    </Group>
  );
}
