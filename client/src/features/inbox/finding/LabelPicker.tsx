import { Badge, Button, CheckIcon, CloseButton, Group, Menu, Text } from '@mantine/core';
import { Link } from 'react-router';
import { trpc } from '../../../trpc.ts';
import { useRole } from '../../session/session.ts';
import { can } from '../../../components/roles.ts';

/**
 * The thread header's labels: a chip per label the conversation carries (× takes it off) and a
 * picker to put labels on or take them off. The realtime event refreshes every teammate's view.
 */
export function LabelPicker({
  conversationId,
  labelIds,
  canChange,
}: {
  conversationId: string;
  labelIds: readonly string[];
  canChange: boolean;
}) {
  const utils = trpc.useUtils();
  const labels = trpc.label.list.useQuery();
  const admin = can(useRole(), 'admin');
  const settled = () => {
    void utils.conversation.list.invalidate();
    void utils.conversation.byId.invalidate({ id: conversationId });
    void utils.conversation.counts.invalidate();
    void utils.label.list.invalidate();
  };
  const attach = trpc.label.attach.useMutation({ onSettled: settled });
  const detach = trpc.label.detach.useMutation({ onSettled: settled });
  const carried = new Set(labelIds);
  const shown = (labels.data ?? []).filter((label) => carried.has(label.id));
  const error = attach.error ?? detach.error;
  return (
    <Group gap={4} wrap="wrap" data-testid="labels">
      {shown.map((label) => (
        <Badge
          key={label.id}
          color={label.color}
          variant="light"
          size="sm"
          data-testid="label-chip"
          rightSection={
            canChange ? (
              <CloseButton
                size="xs"
                aria-label={`Remove label ${label.name}`}
                onClick={() => detach.mutate({ conversationId, labelId: label.id })}
              />
            ) : undefined
          }
        >
          {label.name}
        </Badge>
      ))}
      {canChange && (
        <Menu position="bottom-end" withinPortal closeOnItemClick={false}>
          <Menu.Target>
            <Button variant="subtle" size="compact-xs" aria-label="Labels" data-testid="label-picker">
              + Label
            </Button>
          </Menu.Target>
          <Menu.Dropdown>
            <Menu.Label>Labels</Menu.Label>
            {labels.data?.length === 0 && (
              <Text size="xs" c="dimmed" px="sm" py={4}>
                No labels yet.
              </Text>
            )}
            {labels.data?.map((label) => {
              const on = carried.has(label.id);
              return (
                <Menu.Item
                  key={label.id}
                  leftSection={
                    on ? <CheckIcon size={10} /> : <span style={{ width: 10, display: 'inline-block' }} />
                  }
                  rightSection={
                    <Badge color={label.color} size="xs" circle>
                      {' '}
                    </Badge>
                  }
                  onClick={() =>
                    on
                      ? detach.mutate({ conversationId, labelId: label.id })
                      : attach.mutate({ conversationId, labelId: label.id })
                  }
                  data-checked={on || undefined}
                >
                  {label.name}
                </Menu.Item>
              );
            })}
            {admin && (
              <>
                <Menu.Divider />
                <Menu.Item component={Link} to="/settings/labels">
                  Manage labels…
                </Menu.Item>
              </>
            )}
          </Menu.Dropdown>
        </Menu>
      )}
      {error && (
        <Text size="xs" c="red" role="alert">
          {error.message}
        </Text>
      )}
    </Group>
  );
}
