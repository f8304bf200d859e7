import {
  Alert,
  Badge,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { DataTable, QueryState, type Column } from '../../components/DataTable.tsx';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { plural } from '../../components/plural.ts';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';

type EventStatus = NonNullable<RouterInputs['webhook']['list']['status']>;
type WebhookEvent = RouterOutputs['webhook']['list']['events'][number];
const statuses: EventStatus[] = ['processed', 'flagged', 'failed'];
const statusColors: Record<EventStatus, string> = { processed: 'teal', flagged: 'yellow', failed: 'red' };
const isStatus = (value: string | null): value is EventStatus => statuses.some((s) => s === value);

function StatusBadge({ status }: { status: EventStatus }) {
  return (
    <Badge color={statusColors[status]} style={{ flexShrink: 0, overflow: 'visible' }}>
      {status}
    </Badge>
  );
}

function Summary({ event }: { event: WebhookEvent }) {
  return (
    <>
      <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
        {event.summary}
      </Text>
      {event.error && (
        <Text size="xs" c="red" style={{ overflowWrap: 'anywhere' }}>
          {event.error}
        </Text>
      )}
    </>
  );
}

const columns: Column<WebhookEvent>[] = [
  { header: 'Received', width: 170, cell: (event) => new Date(event.createdAt).toLocaleString() },
  { header: 'Field', width: 150, cell: (event) => event.field, style: { overflowWrap: 'anywhere' } },
  { header: 'What happened', cell: (event) => <Summary event={event} /> },
  { header: 'Status', width: 140, cell: (event) => <StatusBadge status={event.status} /> },
];

/**
 * /webhook-log: what Meta sent this workspace, how it was processed, and replay for what failed;
 * /webhook-log/:eventId opens one delivery's payload over the log (?status= filters, and is kept).
 */
export function WebhookLogPage() {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const phone = useMediaQuery('(max-width: 47.99em)');
  const { eventId } = useParams();
  const [search, setSearch] = useSearchParams();
  const rawStatus = search.get('status');
  const status = isStatus(rawStatus) ? rawStatus : null;
  const query = search.size > 0 ? `?${search.toString()}` : '';
  const eventPath = (id: string) => `/webhook-log/${id}${query}`;
  const log = trpc.webhook.list.useQuery(
    { limit: 100, ...(status ? { status } : {}) },
    { refetchInterval: 5000 },
  );
  const detail = trpc.webhook.byId.useQuery({ id: eventId ?? '' }, { enabled: eventId !== undefined });
  const replay = trpc.webhook.replay.useMutation({ onSuccess: () => void utils.webhook.list.invalidate() });
  const events = log.data?.events;
  return (
    <Stack>
      <PageHeader title="Webhook log">
        <Select
          aria-label="Status"
          placeholder="All statuses"
          data={statuses}
          value={status}
          onChange={(value) => setSearch(value ? { status: value } : {})}
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
      </PageHeader>
      {replay.data && (
        <Alert color="teal">
          {plural(replay.data.queued, 'delivery', 'deliveries')} queued for processing again
          {replay.data.more ? ` (${replay.data.remaining} more: replay again once these are done).` : '.'}
        </Alert>
      )}
      <FormError error={replay.error} shownFields={[]} />
      {phone ? (
        <QueryState
          query={log}
          isEmpty={events?.length === 0}
          empty="Nothing received yet: what Meta sends to this workspace appears here."
        >
          <Stack gap="xs">
            {events?.map((event) => (
              <UnstyledButton
                key={event.id}
                component={Link}
                to={eventPath(event.id)}
                data-testid="webhook-event"
              >
                <Paper withBorder p="sm">
                  <Group justify="space-between" wrap="nowrap" align="flex-start">
                    <Stack gap={0} miw={0}>
                      <Summary event={event} />
                    </Stack>
                    <StatusBadge status={event.status} />
                  </Group>
                  <Text size="xs" c="dimmed">
                    {event.field} · {new Date(event.createdAt).toLocaleString()}
                  </Text>
                </Paper>
              </UnstyledButton>
            ))}
          </Stack>
        </QueryState>
      ) : (
        <DataTable
          query={log}
          rows={events}
          columns={columns}
          rowKey={(event) => event.id}
          empty="Nothing received yet: what Meta sends to this workspace appears here."
          minWidth={560}
          highlightOnHover
          layout="fixed"
          rowProps={(event) => ({
            onClick: () => void navigate(eventPath(event.id)),
            style: { cursor: 'pointer' },
            'data-testid': 'webhook-event',
          })}
        />
      )}
      <Modal
        opened={eventId !== undefined}
        onClose={() => void navigate(`/webhook-log${query}`)}
        title={
          detail.data ? `${detail.data.field} — as Meta sent it` : detail.error ? 'Not found' : 'Loading…'
        }
        size="xl"
        fullScreen={phone}
        scrollAreaComponent={ScrollArea.Autosize}
      >
        {detail.error && <Text c="red">{detail.error.message}</Text>}
        {detail.data && (
          <Code block data-testid="webhook-payload">
            {JSON.stringify(detail.data.payload, null, 2)}
          </Code>
        )}
      </Modal>
    </Stack>
  );
}
