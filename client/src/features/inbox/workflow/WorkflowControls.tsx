import { Badge, Button, Group, Menu, Text } from '@mantine/core';
import { useEffect, useRef } from 'react';
import { trpc } from '../../../trpc.ts';
import { useMe } from '../../session/session.ts';
import { PresenceDot } from '../../presence/PresenceIndicator.tsx';
import type { Conversation } from '../types.ts';

const statusColor: Record<Conversation['status'], string> = {
  open: 'green',
  pending: 'yellow',
  resolved: 'gray',
  snoozed: 'grape',
};

/** Snooze choices: in an hour, tomorrow at 9, next Monday at 9 (the agent's local time). */
function snoozeChoices(now = new Date()): { label: string; until: Date }[] {
  const tomorrow = new Date(now);
  tomorrow.setDate(now.getDate() + 1);
  tomorrow.setHours(9, 0, 0, 0);
  const monday = new Date(now);
  monday.setDate(now.getDate() + ((8 - now.getDay()) % 7 || 7));
  monday.setHours(9, 0, 0, 0);
  return [
    { label: 'For an hour', until: new Date(now.getTime() + 3600_000) },
    { label: 'Until tomorrow, 9:00', until: tomorrow },
    { label: 'Until Monday, 9:00', until: monday },
  ];
}

const formatUntil = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });

/**
 * The thread header's workflow: the status menu (resolve, reopen, pending, snooze until…) and the
 * assignee picker (me, a member, a team, nobody). Changes name the version the agent saw; when a
 * teammate changed the conversation first, the agent is told and sees the teammate's change (the
 * realtime event has already patched the list).
 */
export function WorkflowControls({
  conversation,
  canChange,
}: {
  conversation: Conversation;
  canChange: boolean;
}) {
  const utils = trpc.useUtils();
  const me = useMe().data?.user;
  const members = trpc.member.list.useQuery();
  const teams = trpc.team.list.useQuery();
  const settled = () => {
    void utils.conversation.list.invalidate();
    void utils.conversation.byId.invalidate();
  };
  const setStatus = trpc.conversation.setStatus.useMutation({ onSettled: settled });
  const assign = trpc.conversation.assign.useMutation({ onSettled: settled });
  const ref = { id: conversation.id, version: conversation.version };
  const assignee = members.data?.find((m) => m.userId === conversation.assignedUserId);
  const team = teams.data?.find((t) => t.id === conversation.assignedTeamId);
  const assigneeLabel =
    [assignee?.displayName, team?.name].filter(Boolean).join(' · ') ||
    (conversation.assignedUserId || conversation.assignedTeamId ? 'Assigned' : 'Unassigned');
  // An assignee who joined after the lists were loaded (a new teammate): load them again, once per id.
  const reloadedFor = useRef<string | null>(null);
  const unknown =
    (conversation.assignedUserId && members.data && !assignee ? conversation.assignedUserId : null) ??
    (conversation.assignedTeamId && teams.data && !team ? conversation.assignedTeamId : null);
  const { refetch: refetchMembers } = members;
  const { refetch: refetchTeams } = teams;
  useEffect(() => {
    if (!unknown || reloadedFor.current === unknown) return;
    reloadedFor.current = unknown;
    void refetchMembers();
    void refetchTeams();
  }, [unknown, refetchMembers, refetchTeams]);
  const error = setStatus.error ?? assign.error;
  const statusLabel =
    conversation.status === 'snoozed' && conversation.snoozedUntil
      ? `Snoozed until ${formatUntil(conversation.snoozedUntil)}`
      : conversation.status[0]?.toUpperCase() + conversation.status.slice(1);
  return (
    <Group gap="xs" wrap="wrap" data-testid="workflow">
      <Menu position="bottom-end" withinPortal disabled={!canChange}>
        <Menu.Target>
          <Badge
            component="button"
            variant="light"
            color={statusColor[conversation.status]}
            style={{ cursor: canChange ? 'pointer' : 'default' }}
            data-testid="status"
          >
            {statusLabel}
          </Badge>
        </Menu.Target>
        <Menu.Dropdown>
          {conversation.status !== 'resolved' && (
            <Menu.Item onClick={() => setStatus.mutate({ ...ref, status: 'resolved' })}>Resolve</Menu.Item>
          )}
          {conversation.status !== 'open' && (
            <Menu.Item onClick={() => setStatus.mutate({ ...ref, status: 'open' })}>Reopen</Menu.Item>
          )}
          {conversation.status !== 'pending' && (
            <Menu.Item onClick={() => setStatus.mutate({ ...ref, status: 'pending' })}>
              Mark pending
            </Menu.Item>
          )}
          <Menu.Label>Snooze</Menu.Label>
          {snoozeChoices().map((choice) => (
            <Menu.Item
              key={choice.label}
              onClick={() =>
                setStatus.mutate({ ...ref, status: 'snoozed', snoozedUntil: choice.until.toISOString() })
              }
            >
              {choice.label}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      <Menu position="bottom-end" withinPortal disabled={!canChange}>
        <Menu.Target>
          <Button
            size="compact-xs"
            variant="default"
            disabled={!canChange}
            data-testid="assignee"
            leftSection={assignee ? <PresenceDot userId={assignee.userId} /> : undefined}
          >
            {assigneeLabel}
          </Button>
        </Menu.Target>
        <Menu.Dropdown>
          {me && (
            <Menu.Item onClick={() => assign.mutate({ ...ref, userId: me.id, teamId: null })}>
              Assign to me
            </Menu.Item>
          )}
          {(conversation.assignedUserId || conversation.assignedTeamId) && (
            <Menu.Item onClick={() => assign.mutate({ ...ref, userId: null, teamId: null })}>
              Unassign
            </Menu.Item>
          )}
          <Menu.Label>Members</Menu.Label>
          {members.data
            ?.filter((m) => m.role !== 'viewer')
            .map((m) => (
              <Menu.Item
                key={m.userId}
                leftSection={<PresenceDot userId={m.userId} />}
                onClick={() => assign.mutate({ ...ref, userId: m.userId, teamId: null })}
              >
                {m.displayName}
              </Menu.Item>
            ))}
          {teams.data && teams.data.length > 0 && <Menu.Label>Teams</Menu.Label>}
          {teams.data?.map((t) => (
            <Menu.Item key={t.id} onClick={() => assign.mutate({ ...ref, userId: null, teamId: t.id })}>
              {t.name}
            </Menu.Item>
          ))}
        </Menu.Dropdown>
      </Menu>
      {error && (
        <Text size="xs" c="red" role="alert">
          {error.message}
        </Text>
      )}
    </Group>
  );
}
