import { Menu, Switch, Text } from '@mantine/core';
import { can } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';
import { useRole } from '../session/session.ts';

/**
 * Whether the signed-in member takes round-robin conversations now: agents and up (viewers are never
 * assigned). `available` is null when it does not apply.
 */
export function useAvailability() {
  const role = useRole();
  const utils = trpc.useUtils();
  const assignable = can(role, 'agent');
  const availability = trpc.autoAssign.availability.useQuery(undefined, { enabled: assignable });
  const set = trpc.autoAssign.setAvailable.useMutation({
    onSuccess: (data) => utils.autoAssign.availability.setData(undefined, data),
  });
  return {
    available: assignable ? (availability.data?.available ?? false) : null,
    setAvailable: (available: boolean) => set.mutate({ available }),
    pending: set.isPending,
  };
}

/** The account menu's availability switch (round-robin assignment). */
export function AvailabilityItem() {
  const { available, setAvailable, pending } = useAvailability();
  if (available === null) return null;
  return (
    <Menu.Item
      component="div"
      rightSection={
        <Switch
          size="xs"
          checked={available}
          disabled={pending}
          onChange={(event) => setAvailable(event.currentTarget.checked)}
          aria-label="Available for new conversations"
          data-testid="availability-switch"
        />
      }
    >
      Available for new conversations
      <Text size="xs" c="dimmed">
        {available ? 'Round robin assigns you new conversations.' : 'Away: round robin skips you.'}
      </Text>
    </Menu.Item>
  );
}
