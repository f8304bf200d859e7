import { Badge, Button, Group, Popover, Select, Stack, Switch, Tabs, Text } from '@mantine/core';
import { trpc } from '../../../trpc.ts';
import { usePollWhileOffline } from '../../realtime/live.ts';
import type { StatusTab } from './useInboxFilters.ts';
import { useInboxFilters } from './useInboxFilters.ts';
import { badgeCount } from './badgeCount.ts';

const tabLabels: { value: StatusTab; label: string }[] = [
  { value: 'open', label: 'Open' },
  { value: 'pending', label: 'Pending' },
  { value: 'snoozed', label: 'Snoozed' },
  { value: 'resolved', label: 'Resolved' },
  { value: 'all', label: 'All' },
];

/** "10,000+" once counting stopped at the cap. */
const formatCount = (count: number, cap: number) =>
  count >= cap ? `${cap.toLocaleString()}+` : count.toLocaleString();

/**
 * The inbox's status tabs with their counts (and how many hold messages I have not read), and the
 * other filters in a popover: assignee, label, number, unread only, 24-hour window. All of it lives
 * in the address (useInboxFilters), so a filtered view is a link.
 */
export function ConversationFilters() {
  const { filters, tab, assignee, set, change } = useInboxFilters();
  const { status: _status, ...others } = filters;
  const counts = trpc.conversation.counts.useQuery(others, { refetchInterval: usePollWhileOffline() });
  const members = trpc.member.list.useQuery();
  const teams = trpc.team.list.useQuery();
  const labels = trpc.label.list.useQuery();
  const channels = trpc.channel.list.useQuery();
  const active = [
    assignee !== 'anyone',
    Boolean(filters.labelId),
    Boolean(filters.phoneNumberId),
    Boolean(filters.unread),
    Boolean(filters.window),
  ].filter(Boolean).length;
  const assigneeOptions = [
    {
      group: 'Whose',
      items: [
        { value: 'anyone', label: 'Anyone' },
        { value: 'me', label: 'Me' },
        { value: 'unassigned', label: 'Unassigned' },
      ],
    },
    {
      group: 'Members',
      items: (members.data ?? [])
        .filter((m) => m.role !== 'viewer')
        .map((m) => ({ value: `user:${m.userId}`, label: m.displayName })),
    },
    { group: 'Teams', items: (teams.data ?? []).map((t) => ({ value: `team:${t.id}`, label: t.name })) },
  ].filter((group) => group.items.length > 0);
  const numbers = (channels.data ?? []).flatMap((c) =>
    c.phoneNumbers.map((p) => ({
      value: p.phoneNumberId,
      label: `+${p.displayPhoneNumber.replace(/^\+/, '')}`,
    })),
  );
  return (
    <Stack gap={6}>
      <Tabs value={tab} onChange={(value) => set('status', value === 'open' ? null : value)} variant="pills">
        <Tabs.List aria-label="Status">
          {tabLabels.map(({ value, label }) => {
            const count = counts.data?.[value];
            return (
              <Tabs.Tab
                key={value}
                value={value}
                size="xs"
                px={8}
                py={4}
                data-testid={`tab-${value}`}
                rightSection={
                  count ? (
                    <Group gap={4} wrap="nowrap">
                      <Text
                        span
                        size="xs"
                        c={tab === value ? undefined : 'dimmed'}
                        data-testid={`count-${value}`}
                      >
                        {formatCount(count.total, counts.data?.cap ?? Infinity)}
                      </Text>
                      {count.unread > 0 && (
                        <Badge
                          size="xs"
                          variant={tab === value ? 'white' : 'filled'}
                          aria-label={`${count.unread} unread`}
                          title="Conversations with messages you have not read"
                        >
                          {badgeCount(count.unread)}
                        </Badge>
                      )}
                    </Group>
                  ) : undefined
                }
              >
                {label}
              </Tabs.Tab>
            );
          })}
        </Tabs.List>
      </Tabs>
      <Popover position="bottom-start" withinPortal shadow="md" width={280} trapFocus>
        <Popover.Target>
          <Button size="compact-xs" variant={active ? 'light' : 'default'} w="fit-content">
            Filters{active ? ` · ${active}` : ''}
          </Button>
        </Popover.Target>
        <Popover.Dropdown>
          <Stack gap="xs">
            <Select
              label="Assignee"
              size="xs"
              data={assigneeOptions}
              value={assignee}
              allowDeselect={false}
              onChange={(value) => set('assignee', value === 'anyone' ? null : value)}
              comboboxProps={{ withinPortal: false }}
            />
            <Select
              label="Label"
              size="xs"
              placeholder="Any label"
              clearable
              data={(labels.data ?? []).map((l) => ({ value: l.id, label: l.name }))}
              value={filters.labelId ?? null}
              onChange={(value) => set('label', value)}
              comboboxProps={{ withinPortal: false }}
            />
            <Select
              label="Number"
              size="xs"
              placeholder="Any number"
              clearable
              data={numbers}
              value={filters.phoneNumberId ?? null}
              onChange={(value) => set('number', value)}
              comboboxProps={{ withinPortal: false }}
            />
            <Select
              label="24-hour window"
              size="xs"
              placeholder="Open or closed"
              clearable
              data={[
                { value: 'open', label: 'Open: free-form replies' },
                { value: 'closed', label: 'Closed: templates only' },
              ]}
              value={filters.window ?? null}
              onChange={(value) => set('window', value)}
              comboboxProps={{ withinPortal: false }}
            />
            <Switch
              label="Unread only"
              size="xs"
              checked={Boolean(filters.unread)}
              onChange={(event) => set('unread', event.currentTarget.checked ? '1' : null)}
            />
            {active > 0 && (
              <Group justify="flex-end">
                <Button
                  size="compact-xs"
                  variant="subtle"
                  onClick={() =>
                    change({ assignee: null, label: null, number: null, unread: null, window: null })
                  }
                >
                  Clear filters
                </Button>
              </Group>
            )}
          </Stack>
        </Popover.Dropdown>
      </Popover>
    </Stack>
  );
}
