import { Alert, Group, Select, Stack, Switch, Text } from '@mantine/core';
import { DataTable } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { trpc, type RouterOutputs } from '../../trpc.ts';

type Rule = RouterOutputs['autoAssign']['rules'][number];
const everyone = '__everyone__';
/** Meta's display number, with its "+" (some come with one). */
const shown = (number: string) => (number.startsWith('+') ? number : `+${number}`);

/**
 * /settings/auto-assignment: round robin per phone number. New conversations (and ones reopened
 * without an assignee) go in turn to the available members of a team, or of the whole workspace.
 */
export function AutoAssignmentPage() {
  const utils = trpc.useUtils();
  const rules = trpc.autoAssign.rules.useQuery();
  const teams = trpc.team.list.useQuery();
  const availability = trpc.autoAssign.availability.useQuery();
  const members = trpc.member.list.useQuery();
  const set = trpc.autoAssign.setRule.useMutation({
    onSuccess: () => void utils.autoAssign.rules.invalidate(),
  });
  const change = (rule: Rule, patch: Partial<Pick<Rule, 'enabled' | 'teamId'>>) =>
    set.mutate({
      phoneNumberId: rule.phoneNumberId,
      enabled: patch.enabled ?? rule.enabled,
      teamId: patch.teamId !== undefined ? patch.teamId : rule.teamId,
    });
  const available = (members.data ?? []).filter((m) =>
    availability.data?.availableUserIds.includes(m.userId),
  );
  return (
    <Stack gap="md">
      <PageHeader title="Auto-assignment" />
      <Text size="sm" c="dimmed">
        Round robin: each new conversation on a number goes to the next available member, in turn. Members
        mark themselves available in their account menu (top right), and take turns while Parley is open in
        their browser; a conversation nobody can take waits for the next one who connects.
      </Text>
      <Text size="sm" data-testid="available-members">
        Available now:{' '}
        {available.length > 0
          ? available.map((m) => m.displayName).join(', ')
          : 'nobody (conversations stay unassigned)'}
      </Text>
      {set.error && <Alert color="red">{set.error.message}</Alert>}
      <DataTable
        query={rules}
        rows={rules.data}
        rowKey={(rule) => rule.phoneNumberId}
        minWidth={360}
        empty="No phone numbers yet: connect a channel first."
        columns={[
          {
            header: 'Number',
            cell: (rule) => (
              <Stack gap={0}>
                <Text size="sm">{shown(rule.displayPhoneNumber)}</Text>
                {rule.verifiedName && (
                  <Text size="xs" c="dimmed">
                    {rule.verifiedName}
                  </Text>
                )}
              </Stack>
            ),
          },
          {
            header: 'Round robin',
            width: 110,
            cell: (rule) => (
              <Switch
                checked={rule.enabled}
                label={rule.enabled ? 'On' : 'Off'}
                aria-label={`Round robin on ${shown(rule.displayPhoneNumber)}`}
                onChange={(event) => change(rule, { enabled: event.currentTarget.checked })}
              />
            ),
          },
          {
            header: 'Among',
            width: 200,
            cell: (rule) => (
              <Group>
                <Select
                  aria-label={`Who takes turns on ${shown(rule.displayPhoneNumber)}`}
                  disabled={!rule.enabled}
                  allowDeselect={false}
                  data={[
                    { value: everyone, label: 'Every available member' },
                    ...(teams.data ?? []).map((team) => ({ value: team.id, label: `Team: ${team.name}` })),
                  ]}
                  value={rule.teamId ?? everyone}
                  onChange={(value) => change(rule, { teamId: value === everyone ? null : value })}
                />
              </Group>
            ),
          },
        ]}
      />
    </Stack>
  );
}
