import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { webhookEventTypes } from '../../../../server/domains/outboundWebhooks/schemas.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';

type Endpoint = RouterOutputs['webhookEndpoint']['list'][number];
type Delivery = RouterOutputs['webhookEndpoint']['deliveries'][number];
type NewEndpoint = RouterInputs['webhookEndpoint']['create'];

const statusColor: Record<Delivery['status'], string> = {
  pending: 'gray',
  retrying: 'orange',
  succeeded: 'teal',
  failed: 'red',
};

function CreateEndpointForm() {
  const utils = trpc.useUtils();
  const form = useForm<NewEndpoint>({
    initialValues: { url: '', description: '', events: ['message.received'] },
  });
  const create = trpc.webhookEndpoint.create.useMutation({
    onSuccess: () => {
      form.reset();
      void utils.webhookEndpoint.list.invalidate();
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={form.onSubmit((values) => create.mutate(values))} noValidate>
        <Stack gap="sm">
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label="Endpoint URL"
              placeholder="https://example.com/parley-webhooks"
              required
              w={{ base: '100%', sm: 380 }}
              {...form.getInputProps('url')}
            />
            <TextInput
              label="Description"
              w={{ base: '100%', sm: 220 }}
              {...form.getInputProps('description')}
            />
          </Group>
          <Checkbox.Group label="Events" {...form.getInputProps('events')}>
            <Group mt={6} gap="md">
              {webhookEventTypes.map((type) => (
                <Checkbox key={type} value={type} label={type} />
              ))}
            </Group>
          </Checkbox.Group>
          <Group>
            <Button type="submit" loading={create.isPending}>
              Add endpoint
            </Button>
          </Group>
        </Stack>
      </form>
      <FormError error={create.error} shownFields={['url', 'description', 'events']} mt="sm" />
      {create.data && (
        <Alert color="teal" mt="sm" title="Signing secret">
          Copy it now, it will not be shown again:{' '}
          <Code data-testid="new-webhook-secret" style={{ overflowWrap: 'anywhere' }}>
            {create.data.secret}
          </Code>
          <Text size="xs" mt={4}>
            Each delivery carries <Code>Parley-Signature: t=…,v1=…</Code>: the HMAC-SHA256 of{' '}
            <Code>{'<t>.<raw body>'}</Code> with this secret (see the API docs).
          </Text>
        </Alert>
      )}
    </Paper>
  );
}

function DeliveryLog({ endpoint }: { endpoint: Endpoint }) {
  const utils = trpc.useUtils();
  const deliveries = trpc.webhookEndpoint.deliveries.useQuery(
    { endpointId: endpoint.id },
    { refetchInterval: 2000 },
  );
  const replay = trpc.webhookEndpoint.replay.useMutation({
    onSettled: () => void utils.webhookEndpoint.deliveries.invalidate({ endpointId: endpoint.id }),
  });
  const columns: Column<Delivery>[] = [
    { header: 'When', cell: (d) => new Date(d.createdAt).toLocaleString() },
    { header: 'Event', cell: (d) => <Code>{d.eventType}</Code> },
    {
      header: 'Status',
      cell: (d) => (
        <Badge color={statusColor[d.status]} variant="light" data-testid="delivery-status">
          {d.status}
        </Badge>
      ),
    },
    {
      header: 'Response',
      cell: (d) => d.responseStatus ?? (d.error ? <Text size="xs">{d.error}</Text> : '—'),
    },
    { header: 'Duration', cell: (d) => (d.durationMs === null ? '—' : `${d.durationMs} ms`) },
    { header: 'Attempts', cell: (d) => d.attempts },
    {
      header: '',
      cell: (d) => (
        <Button
          size="compact-sm"
          variant="light"
          loading={replay.isPending && replay.variables.id === d.id}
          onClick={() => replay.mutate({ id: d.id })}
        >
          Replay
        </Button>
      ),
    },
  ];
  return (
    <Stack gap="xs">
      <Title order={4}>Deliveries to {endpoint.url}</Title>
      <DataTable
        query={deliveries}
        rows={deliveries.data}
        columns={columns}
        rowKey={(d) => d.id}
        empty="No deliveries yet: they appear here as events happen."
        minWidth={720}
      />
      <FormError error={replay.error} />
    </Stack>
  );
}

/**
 * Outbound webhooks: endpoints that receive the workspace's events, signed with a secret shown once,
 * and each endpoint's delivery log with replay.
 */
export function WebhookEndpointsPage() {
  const utils = trpc.useUtils();
  const endpoints = trpc.webhookEndpoint.list.useQuery();
  const [selected, setSelected] = useState<string | null>(null);
  const invalidate = () => void utils.webhookEndpoint.list.invalidate();
  const update = trpc.webhookEndpoint.update.useMutation({ onSettled: invalidate });
  const remove = trpc.webhookEndpoint.delete.useMutation({ onSettled: invalidate });
  const columns: Column<Endpoint>[] = [
    {
      header: 'URL',
      cell: (e) => (
        <Stack gap={0}>
          <Text size="sm" style={{ overflowWrap: 'anywhere' }}>
            {e.url}
          </Text>
          {e.description && (
            <Text size="xs" c="dimmed">
              {e.description}
            </Text>
          )}
        </Stack>
      ),
    },
    { header: 'Events', cell: (e) => e.events.join(', ') },
    {
      header: 'State',
      cell: (e) =>
        e.enabled ? (
          <Badge color="teal" variant="light">
            enabled
          </Badge>
        ) : (
          <Stack gap={0}>
            <Badge color="red" variant="light">
              disabled
            </Badge>
            <Text size="xs" c="dimmed">
              {e.disabledReason}
            </Text>
          </Stack>
        ),
    },
    {
      header: '',
      cell: (e) => (
        <Group gap="xs" wrap="nowrap">
          <Button size="compact-sm" variant="light" onClick={() => setSelected(e.id)}>
            Deliveries
          </Button>
          <Button
            size="compact-sm"
            variant="subtle"
            onClick={() => update.mutate({ id: e.id, enabled: !e.enabled })}
          >
            {e.enabled ? 'Disable' : 'Enable'}
          </Button>
          <Button size="compact-sm" variant="subtle" color="red" onClick={() => remove.mutate({ id: e.id })}>
            Delete
          </Button>
        </Group>
      ),
    },
  ];
  const shown = endpoints.data?.find((e) => e.id === selected) ?? endpoints.data?.[0];
  return (
    <Stack>
      <Title order={3}>Webhooks</Title>
      <Text size="sm" c="dimmed">
        Parley POSTs the events you choose to your endpoints, signed, and retries failures for hours. An
        endpoint that fails for 24 hours is disabled and admins are notified.
      </Text>
      <DataTable
        query={endpoints}
        rows={endpoints.data}
        columns={columns}
        rowKey={(e) => e.id}
        empty="No endpoints yet."
        minWidth={640}
      />
      <CreateEndpointForm />
      {shown && <DeliveryLog endpoint={shown} />}
    </Stack>
  );
}
