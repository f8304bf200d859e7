import { Box, Group, NavLink, Stack } from '@mantine/core';
import { Link, Outlet, useLocation } from 'react-router';
import { PageHeader } from '../../components/PageHeader.tsx';

/**
 * The workspace's settings: a plain list of pages beside the one chosen. A feature adds its page
 * here and under the `settings` route (client/src/router.tsx).
 */
export const settingsPages = [
  { path: '/settings/labels', label: 'Labels' },
  { path: '/settings/canned-responses', label: 'Canned responses' },
  { path: '/settings/auto-assignment', label: 'Auto-assignment' },
  { path: '/settings/webhooks', label: 'Webhooks' },
  { path: '/settings/time-zone', label: 'Time zone' },
  { path: '/settings/contacts', label: 'Contacts' },
] as const;

export function SettingsPage() {
  const { pathname } = useLocation();
  return (
    <Stack>
      <PageHeader title="Settings" />
      <Group align="flex-start" gap="lg" wrap="wrap">
        <Box component="nav" aria-label="Settings" w={{ base: '100%', sm: 180 }}>
          {settingsPages.map((page) => (
            <NavLink
              key={page.path}
              component={Link}
              to={page.path}
              label={page.label}
              active={pathname === page.path}
            />
          ))}
        </Box>
        <Box flex={1} miw={0} w={{ base: '100%', sm: 'auto' }}>
          <Outlet />
        </Box>
      </Group>
    </Stack>
  );
}
