import { Box, Button, Menu, Text } from '@mantine/core';
import { can } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';
import { useRole } from '../session/session.ts';

/**
 * The header's menu on the signed-in member's name: whether they take round-robin conversations now
 * (agents and up; viewers are never assigned).
 */
export function AvailabilityMenu({ name }: { name: string }) {
  const role = useRole();
  const utils = trpc.useUtils();
  const assignable = can(role, 'agent');
  const availability = trpc.autoAssign.availability.useQuery(undefined, { enabled: assignable });
  const set = trpc.autoAssign.setAvailable.useMutation({
    onSuccess: (data) => utils.autoAssign.availability.setData(undefined, data),
  });
  const available = availability.data?.available ?? false;
  const dot = (
    <Box
      component="span"
      w={10}
      h={10}
      style={{
        borderRadius: '50%',
        display: 'inline-block',
        background: available ? 'var(--mantine-color-green-filled)' : 'var(--mantine-color-gray-5)',
      }}
    />
  );
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button
          variant="subtle"
          size="xs"
          color="gray"
          leftSection={assignable ? dot : undefined}
          aria-label={assignable ? `${name}: ${available ? 'available' : 'away'}` : name}
          data-testid="user-menu"
        >
          <Text size="sm" c="dimmed" visibleFrom="sm" span>
            {name}
          </Text>
          <Text size="sm" c="dimmed" hiddenFrom="sm" span>
            {assignable ? '' : '•••'}
          </Text>
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{name}</Menu.Label>
        {assignable ? (
          <>
            <Menu.Item disabled>
              {available ? 'Available: new conversations come to you' : 'Away: no new conversations'}
            </Menu.Item>
            <Menu.Item
              onClick={() => set.mutate({ available: !available })}
              data-testid="toggle-availability"
            >
              {available ? 'Set yourself away' : 'Set yourself available'}
            </Menu.Item>
          </>
        ) : (
          <Menu.Item disabled>Viewers are not assigned conversations.</Menu.Item>
        )}
      </Menu.Dropdown>
    </Menu>
  );
}
