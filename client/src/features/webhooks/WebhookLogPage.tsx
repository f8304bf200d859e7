import { Alert, Badge, Button, Code, Group, Paper, Select, Stack, Table, Text, Title } from '@mantine/core';
import { useState } from 'react';
import { formError } from '../../components/errors.ts';
import { trpc } from '../../trpc.ts';

/** What Meta sent this workspace, how it was processed, and replay for what failed. */
export function WebhookLogPage() {
  const utils = trpc.useUtils();
  const [status, setStatus] = useState<'processed' | 'flagged' | 'failed' | null>(null);
  const [selected, setSelected] = useState<string | null>(null);
  const log = trpc.webhook.list.useQuery(
    { limit: 100, ...(status ? { status } : {}) },
    { refetchInterval: 5000 },
  );
  const detail = trpc.webhook.byId.useQuery({ id: selected ?? '' }, { enabled: selected !== null });
  const replay = trpc.webhook.replay.useMutation({ onSuccess: () => void utils.webhook.list.invalidate() });
  return (
    <Stack>
      <Group justify="space-between">
        <Title order={4}>Webhook log</Title>
        <Group>
          <Select
            aria-label="Status"
            placeholder="All statuses"
            data={['processed', 'flagged', 'failed']}
            value={status}
            onChange={(value) => setStatus(value)}
            clearable
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
          {replay.data.queued} deliveries queued for processing again
          {replay.data.more ? ` (${replay.data.remaining} more: replay again once these are done).` : '.'}
        </Alert>
      )}
      {formError(replay.error) && <Alert color="red">{formError(replay.error)}</Alert>}
      <Table highlightOnHover>
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Received</Table.Th>
            <Table.Th>Field</Table.Th>
            <Table.Th>What happened</Table.Th>
            <Table.Th>Status</Table.Th>
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
              <Table.Td>{event.field}</Table.Td>
              <Table.Td>
                <Text size="sm">{event.summary}</Text>
                {event.error && (
                  <Text size="xs" c="red">
                    {event.error}
                  </Text>
                )}
              </Table.Td>
              <Table.Td>
                <Badge color={{ processed: 'teal', flagged: 'yellow', failed: 'red' }[event.status]}>
                  {event.status}
                </Badge>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      {detail.data && (
        <Paper withBorder p="md">
          <Text fw={600} mb="xs">
            {detail.data.field} — as Meta sent it
          </Text>
          <Code block data-testid="webhook-payload">
            {JSON.stringify(detail.data.payload, null, 2)}
          </Code>
        </Paper>
      )}
    </Stack>
  );
}
