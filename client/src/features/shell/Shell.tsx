import {
  ActionIcon,
  AppShell,
  Badge,
  Burger,
  Group,
  NavLink,
  Select,
  Stack,
  Text,
  Title,
  useComputedColorScheme,
  useMantineColorScheme,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { can, type Role } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';
import { useMe, useRole, type Me } from '../session/session.ts';
import { LiveUpdates } from '../realtime/LiveUpdates.tsx';
import { UserMenu } from './UserMenu.tsx';
import { NotificationBell } from '../collaboration/NotificationBell.tsx';

/** Sections of the app, their address and the least role that can use each (the server enforces the same). */
const sections = [
  { path: '/inbox', label: 'Inbox', minimum: 'viewer' },
  { path: '/contacts', label: 'Contacts', minimum: 'viewer' },
  { path: '/channels', label: 'Channels', minimum: 'viewer' },
  { path: '/templates', label: 'Templates', minimum: 'viewer' },
  { path: '/team', label: 'Team', minimum: 'viewer' },
  { path: '/campaigns', label: 'Campaigns', minimum: 'admin' },
  { path: '/segments', label: 'Audiences', minimum: 'admin' },
  { path: '/api-keys', label: 'API keys', minimum: 'admin' },
  { path: '/webhook-log', label: 'Webhook log', minimum: 'admin' },
  { path: '/settings', label: 'Settings', minimum: 'admin' },
] as const satisfies readonly { path: string; label: string; minimum: Role }[];

function WorkspaceSwitcher({ me }: { me: Me }) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  // The open conversation or event belongs to the workspace being left: start again at its inbox.
  const switchTo = trpc.tenant.switch.useMutation({
    onSuccess: async () => {
      await navigate('/inbox');
      await utils.invalidate();
    },
  });
  return (
    <Select
      label="Workspace"
      aria-label="Workspace"
      data={me.workspaces.map((w) => ({ value: w.tenantId, label: `${w.name} (${w.role})` }))}
      value={me.activeTenantId}
      onChange={(tenantId) => tenantId && switchTo.mutate({ tenantId })}
      allowDeselect={false}
    />
  );
}

/** Light or dark, whatever the system says until the user picks (Mantine keeps the choice). */
function ColorSchemeToggle() {
  const { setColorScheme } = useMantineColorScheme();
  const dark = useComputedColorScheme('light') === 'dark';
  return (
    <ActionIcon
      variant="subtle"
      size="lg"
      onClick={() => setColorScheme(dark ? 'light' : 'dark')}
      aria-label={dark ? 'Use light colours' : 'Use dark colours'}
      title={dark ? 'Use light colours' : 'Use dark colours'}
    >
      {dark ? '☀' : '☾'}
    </ActionIcon>
  );
}

/**
 * The signed-in app: workspace switcher and sections in the navbar, the section at the current address
 * beside it. On a phone the navbar is a menu behind the burger, closed whenever a section is chosen.
 */
export function Shell() {
  const me = useMe().data;
  const role = useRole();
  const { pathname } = useLocation();
  const [menuOpen, menu] = useDisclosure(false);
  if (!me) return null;
  const active = me.workspaces.find((w) => w.tenantId === me.activeTenantId);
  return (
    <AppShell
      navbar={{ width: 240, breakpoint: 'sm', collapsed: { mobile: !menuOpen } }}
      header={{ height: 56 }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="xs" wrap="nowrap" miw={0}>
            <Burger
              opened={menuOpen}
              onClick={menu.toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={menuOpen ? 'Close menu' : 'Open menu'}
            />
            <Title order={3}>Parley</Title>
            {active?.status === 'suspended' && (
              <Badge color="red" visibleFrom="sm">
                Suspended: sending disabled
              </Badge>
            )}
          </Group>
          <Group gap="xs" wrap="nowrap">
            {active && <NotificationBell key={active.tenantId} />}
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {me.user.displayName}
            </Text>
            <ColorSchemeToggle />
            <UserMenu me={me} />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Sections">
        <Stack gap="xs">
          <WorkspaceSwitcher me={me} />
          {sections
            .filter((section) => can(role, section.minimum))
            .map((section) => (
              <NavLink
                key={section.path}
                component={Link}
                to={section.path}
                label={section.label}
                active={pathname === section.path || pathname.startsWith(`${section.path}/`)}
                onClick={menu.close}
              />
            ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        {active?.status === 'suspended' && (
          <Badge color="red" hiddenFrom="sm" mb="sm">
            Suspended: sending disabled
          </Badge>
        )}
        <Outlet />
        {active && <LiveUpdates key={active.tenantId} />}
      </AppShell.Main>
    </AppShell>
  );
}
