import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  ScrollArea,
  Select,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
  Paper,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { useState } from 'react';
import { formError } from '../../components/errors.ts';
import { plural } from '../../components/plural.ts';
import { trpc } from '../../trpc.ts';

type EventStatus = 'processed' | 'flagged' | 'failed';
const statusColors: Record<EventStatus, string> = { processed: 'teal', flagged: 'yellow', failed: 'red' };

function StatusBadge({ status }: { status: EventStatus }) {
  return (
    <Badge color={statusColors[status]} style={{ flexShrink: 0 }}>
      {status}
    </Badge>
  );
}

/** What Meta sent this workspace, how it was processed, and replay for what failed. */
export function WebhookLogPage() {
  const utils = trpc.useUtils();
  const phone = useMediaQuery('(max-width: 47.99em)');
  const [status, setStatus] = useState<EventStatus | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const log = trpc.webhook.list.useQuery(
    { limit: 100, ...(status ? { status } : {}) },
    { refetchInterval: 5000 },
  );
  const detail = trpc.webhook.byId.useQuery({ id: selected ?? '' }, { enabled: selected !== null });
  const replay = trpc.webhook.replay.useMutation({ onSuccess: () => void utils.webhook.list.invalidate() });
  return (
    <Stack>
      <Group justify="space-between" wrap="wrap">
        <Title order={4}>Webhook log</Title>
        <Group wrap="wrap">
          <Select
            aria-label="Status"
            placeholder="All statuses"
            data={['processed', 'flagged', 'failed']}
            value={status}
            onChange={(value) =>
              setStatus(value === 'processed' || value === 'flagged' || value === 'failed' ? value : null)
            }
            clearable
            w={160}
          />
          <Button
            variant="light"
            loading={replay.isPending}
            onClick={() => replay.mutate({ status: 'failed' })}
          >
            Replay failed
          </Button>
        </Group>
      </Group>
      {replay.data && (
        <Alert color="teal">
          {plural(replay.data.queued, 'delivery', 'deliveries')} queued for processing again
          {replay.data.more ? ` (${replay.data.remaining} more: replay again once these are done).` : '.'}
        </Alert>
      )}
      {formError(replay.error, []) && <Alert color="red">{formError(replay.error, [])}</Alert>}
      {log.data?.events.length === 0 && (
        <Text c="dimmed">Nothing received yet: what Meta sends to this workspace appears here.</Text>
      )}
      {phone ? (
        <Stack gap="xs">
          {log.data?.events.map((event) => (
            <UnstyledButton key={event.id} onClick={() => setSelected(event.id)} data-testid="webhook-event">
              <Paper withBorder p="sm">
                <Group justify="space-between" wrap="nowrap" align="flex-start">
                  <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                    {event.summary}
                  </Text>
                  <StatusBadge status={event.status} />
                </Group>
                {event.error && (
                  <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
                    {event.error}
                  </Text>
                )}
                <Text size="xs" c="dimmed">
                  {event.field} · {new Date(event.createdAt).toLocaleString()}
                </Text>
              </Paper>
            </UnstyledButton>
          ))}
        </Stack>
      ) : (
        <Table.ScrollContainer minWidth={560}>
          <Table highlightOnHover layout="fixed">
            <Table.Thead>
              <Table.Tr>
                <Table.Th w={170}>Received</Table.Th>
                <Table.Th w={150}>Field</Table.Th>
                <Table.Th>What happened</Table.Th>
                <Table.Th w={140}>Status</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {log.data?.events.map((event) => (
                <Table.Tr
                  key={event.id}
                  onClick={() => setSelected(event.id)}
                  style={{ cursor: 'pointer' }}
                  data-testid="webhook-event"
                >
                  <Table.Td>{new Date(event.createdAt).toLocaleString()}</Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{event.field}</Table.Td>
                  <Table.Td>
                    <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
                      {event.summary}
                    </Text>
                    {event.error && (
                      <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
                        {event.error}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Badge color={statusColors[event.status]} style={{ overflow: 'visible' }}>
                      {event.status}
                    </Badge>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Table.ScrollContainer>
      )}
      <Modal
        opened={selected !== null}
        onClose={() => setSelected(null)}
        title={detail.data ? `${detail.data.field} — as Meta sent it` : 'Loading…'}
        size="xl"
        fullScreen={phone}
        scrollAreaComponent={ScrollArea.Autosize}
      >
        {detail.data && (
          <Code block data-testid="webhook-payload">
            {JSON.stringify(detail.data.payload, null, 2)}
          </Code>
        )}
      </Modal>
    </Stack>
  );
}
