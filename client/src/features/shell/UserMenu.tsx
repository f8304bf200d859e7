import { ActionIcon, Avatar, Indicator, Menu, Switch, Text } from '@mantine/core';
import { AvailabilityItem, useAvailability } from '../collaboration/Availability.tsx';
import { useState } from 'react';
import { trpc } from '../../trpc.ts';
import { ShortcutsHelp } from '../inbox/InboxShortcuts.tsx';
import { presenceTabId } from '../presence/PresenceReporter.tsx';
import { setNotifications, useNotificationSetting } from '../realtime/notifications.ts';
import type { Me } from '../session/session.ts';

/**
 * The signed-in member's menu in the header: desktop notifications (the browser's permission is asked
 * when they are turned on: a click is the user gesture it needs), the keyboard shortcuts, sign out.
 */
export function UserMenu({ me }: { me: Me }) {
  const utils = trpc.useUtils();
  const leave = trpc.presence.leave.useMutation();
  const logOut = trpc.auth.logOut.useMutation({ onSuccess: () => utils.invalidate() });
  const notifications = useNotificationSetting();
  const [help, setHelp] = useState(false);
  const signOut = async () => {
    // Teammates stop seeing this tab at once (the session ends with the sign-out).
    await leave.mutateAsync({ tabId: presenceTabId }).catch(() => {});
    logOut.mutate();
  };
  const name = me.user.displayName;
  // Round-robin availability (collaboration): a green dot on the avatar while available.
  const { available } = useAvailability();
  return (
    <>
      <Menu position="bottom-end" withinPortal closeOnItemClick={false}>
        <Menu.Target>
          <ActionIcon
            variant="subtle"
            size="lg"
            radius="xl"
            aria-label={
              available === null ? 'Account menu' : `Account menu (${available ? 'available' : 'away'})`
            }
            title="Account menu"
          >
            <Indicator
              disabled={available === null}
              color={available ? 'green' : 'gray'}
              size={9}
              offset={3}
              position="bottom-end"
              withBorder
            >
              <Avatar size={26} radius="xl" color="teal">
                {name.slice(0, 1).toUpperCase()}
              </Avatar>
            </Indicator>
          </ActionIcon>
        </Menu.Target>
        <Menu.Dropdown>
          <Menu.Label>
            {name} · {me.user.email}
          </Menu.Label>
          <Menu.Item
            component="div"
            rightSection={
              <Switch
                size="xs"
                checked={notifications.on}
                disabled={!notifications.supported}
                onChange={(event) => void setNotifications(event.currentTarget.checked)}
                aria-label="Desktop notifications"
              />
            }
          >
            Desktop notifications
            {notifications.blocked && (
              <Text size="xs" c="dimmed">
                Blocked by the browser: allow them in the site settings.
              </Text>
            )}
            {!notifications.supported && (
              <Text size="xs" c="dimmed">
                This browser cannot show them.
              </Text>
            )}
          </Menu.Item>
          <AvailabilityItem />
          <Menu.Item onClick={() => setHelp(true)} rightSection={<Text size="xs">?</Text>}>
            Keyboard shortcuts
          </Menu.Item>
          <Menu.Divider />
          <Menu.Item onClick={() => void signOut()} color="red">
            Sign out
          </Menu.Item>
        </Menu.Dropdown>
      </Menu>
      <ShortcutsHelp opened={help} onClose={() => setHelp(false)} />
    </>
  );
}
