import { AppShell, Badge, Burger, Button, Group, NavLink, Select, Stack, Text, Title } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/trpc/router.ts';
import { can, type Role } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';
import { ApiKeysPage } from '../apiKeys/ApiKeysPage.tsx';
import { ChannelsPage } from '../channels/ChannelsPage.tsx';
import { InboxPage } from '../inbox/InboxPage.tsx';
import { TeamPage } from '../team/TeamPage.tsx';
import { WebhookLogPage } from '../webhooks/WebhookLogPage.tsx';

type Me = NonNullable<inferRouterOutputs<AppRouter>['auth']['me']>;

/** Sections of the app and the least role that can use each (the server enforces the same). */
const pages = {
  inbox: { label: 'Inbox', minimum: 'viewer' },
  channels: { label: 'Channels', minimum: 'viewer' },
  team: { label: 'Team', minimum: 'viewer' },
  apiKeys: { label: 'API keys', minimum: 'admin' },
  webhooks: { label: 'Webhook log', minimum: 'admin' },
} as const satisfies Record<string, { label: string; minimum: Role }>;
type Page = keyof typeof pages;

function WorkspaceSwitcher({ me }: { me: Me }) {
  const utils = trpc.useUtils();
  const switchTo = trpc.tenant.switch.useMutation({ onSuccess: () => utils.invalidate() });
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

/**
 * The signed-in app: workspace switcher and sections in the navbar, the chosen section beside it. On a
 * phone the navbar is a menu behind the burger, closed whenever a section is chosen.
 */
export function Shell({ me }: { me: Me }) {
  const [page, setPage] = useState<Page>('inbox');
  const [menuOpen, menu] = useDisclosure(false);
  const utils = trpc.useUtils();
  const logOut = trpc.auth.logOut.useMutation({ onSuccess: () => utils.invalidate() });
  const active = me.workspaces.find((w) => w.tenantId === me.activeTenantId);
  const role = active?.role ?? 'viewer';
  const visible = (Object.keys(pages) as Page[]).filter((key) => can(role, pages[key].minimum));
  const shown = visible.includes(page) ? page : 'inbox';
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
          <Group gap="sm" wrap="nowrap">
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {me.user.displayName}
            </Text>
            <Button variant="subtle" size="xs" onClick={() => logOut.mutate()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm" aria-label="Sections">
        <Stack gap="xs">
          <WorkspaceSwitcher me={me} />
          {visible.map((key) => (
            <NavLink
              key={key}
              label={pages[key].label}
              active={shown === key}
              onClick={() => {
                setPage(key);
                menu.close();
              }}
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
        {shown === 'inbox' && <InboxPage role={role} />}
        {shown === 'channels' && <ChannelsPage role={role} />}
        {shown === 'team' && <TeamPage role={role} />}
        {shown === 'apiKeys' && <ApiKeysPage />}
        {shown === 'webhooks' && <WebhookLogPage />}
      </AppShell.Main>
    </AppShell>
  );
}
