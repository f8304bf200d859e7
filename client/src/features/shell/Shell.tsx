import { AppShell, Badge, Button, Group, NavLink, Select, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { inferRouterOutputs } from '@trpc/server';
import type { AppRouter } from '../../../../server/trpc/router.ts';
import { trpc } from '../../trpc.ts';
import { ApiKeysPage } from '../apiKeys/ApiKeysPage.tsx';
import { ChannelsPage } from '../channels/ChannelsPage.tsx';
import { InboxPage } from '../inbox/InboxPage.tsx';
import { TeamPage } from '../team/TeamPage.tsx';
import { WebhookLogPage } from '../webhooks/WebhookLogPage.tsx';

type Me = NonNullable<inferRouterOutputs<AppRouter>['auth']['me']>;
const pages = {
  inbox: 'Inbox',
  channels: 'Channels',
  team: 'Team',
  apiKeys: 'API keys',
  webhooks: 'Webhook log',
} as const;
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

/** The signed-in app: workspace switcher and sections on the left, the chosen section on the right. */
export function Shell({ me }: { me: Me }) {
  const [page, setPage] = useState<Page>('inbox');
  const utils = trpc.useUtils();
  const logOut = trpc.auth.logOut.useMutation({ onSuccess: () => utils.invalidate() });
  const active = me.workspaces.find((w) => w.tenantId === me.activeTenantId);
  return (
    <AppShell navbar={{ width: 240, breakpoint: 'sm' }} header={{ height: 56 }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group gap="xs">
            <Title order={3}>Parley</Title>
            {active?.status === 'suspended' && <Badge color="red">Suspended: sending disabled</Badge>}
          </Group>
          <Group gap="sm">
            <Text size="sm" c="dimmed">
              {me.user.displayName}
            </Text>
            <Button variant="subtle" size="xs" onClick={() => logOut.mutate()}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <Stack gap="xs">
          <WorkspaceSwitcher me={me} />
          {(Object.keys(pages) as Page[]).map((key) => (
            <NavLink key={key} label={pages[key]} active={page === key} onClick={() => setPage(key)} />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        {page === 'inbox' && <InboxPage role={active?.role ?? 'viewer'} />}
        {page === 'channels' && <ChannelsPage />}
        {page === 'team' && <TeamPage />}
        {page === 'apiKeys' && <ApiKeysPage />}
        {page === 'webhooks' && <WebhookLogPage />}
      </AppShell.Main>
    </AppShell>
  );
}
