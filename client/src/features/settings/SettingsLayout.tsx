import { Stack, Tabs } from '@mantine/core';
import { Outlet, useLocation, useNavigate } from 'react-router';

/** The settings area's pages, in the order of its tabs (admins; the server enforces the same). */
export const settingsPages = [
  { path: '/settings/canned-responses', label: 'Canned responses' },
  { path: '/settings/auto-assignment', label: 'Auto-assignment' },
] as const;

/** /settings: the workspace's settings, one tab per page. */
export function SettingsLayout() {
  const { pathname } = useLocation();
  const navigate = useNavigate();
  const current = settingsPages.find((page) => pathname.startsWith(page.path))?.path ?? null;
  return (
    <Stack gap="md">
      <Tabs value={current} onChange={(path) => path && void navigate(path)} keepMounted={false}>
        <Tabs.List aria-label="Settings">
          {settingsPages.map((page) => (
            <Tabs.Tab key={page.path} value={page.path}>
              {page.label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
      </Tabs>
      <Outlet />
    </Stack>
  );
}
