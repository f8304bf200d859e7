import {
  Alert,
  Badge,
  Button,
  Group,
  Menu,
  Select,
  SimpleGrid,
  Stack,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { can } from '../../components/roles.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { useRole } from '../session/session.ts';
import { TemplateBuilder } from './TemplateBuilder.tsx';

type Template = RouterOutputs['template']['list'][number];

const statusColors: Record<string, string> = {
  APPROVED: 'green',
  PENDING: 'yellow',
  IN_APPEAL: 'yellow',
  REJECTED: 'red',
  PAUSED: 'orange',
  DISABLED: 'gray',
  DELETED: 'gray',
};
const qualityColors: Record<string, string> = { GREEN: 'green', YELLOW: 'yellow', RED: 'red' };

const statuses = ['APPROVED', 'PENDING', 'REJECTED', 'PAUSED', 'DISABLED'];
const categories = ['MARKETING', 'UTILITY', 'AUTHENTICATION'];

const lower = (value: string) => value.charAt(0) + value.slice(1).toLowerCase();

/** Status with Meta's rejection reason on the line below, so it is read without hovering. */
function StatusCell({ template }: { template: Template }) {
  return (
    <Stack gap={2} align="flex-start">
      <Badge
        color={statusColors[template.status] ?? 'gray'}
        variant="light"
        data-testid="template-status"
        style={{ flexShrink: 0, overflow: 'visible' }}
      >
        {lower(template.status)}
      </Badge>
      {template.rejectedReason && (
        <Text size="xs" c="red" data-testid="rejection-reason">
          {template.rejectedReason}
        </Text>
      )}
    </Stack>
  );
}

function DeleteMenu({ template }: { template: Template }) {
  const utils = trpc.useUtils();
  const remove = trpc.template.delete.useMutation({
    onSettled: () => void utils.template.list.invalidate(),
  });
  return (
    <Menu position="bottom-end" withinPortal>
      <Menu.Target>
        <Button size="compact-xs" variant="subtle" color="red" loading={remove.isPending}>
          Delete…
        </Button>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Item color="red" onClick={() => remove.mutate({ id: template.id, onlyThisLanguage: true })}>
          Delete {template.language} only
        </Menu.Item>
        <Menu.Item color="red" onClick={() => remove.mutate({ id: template.id, onlyThisLanguage: false })}>
          Delete every language of {template.name}
        </Menu.Item>
        {remove.error && <Menu.Label c="red">{remove.error.message}</Menu.Label>}
      </Menu.Dropdown>
    </Menu>
  );
}

/**
 * The workspace's WhatsApp message templates, as Meta reports them (status, quality, category), with
 * a sync from Meta, deletion, and the builder for new ones.
 */
export function TemplatesPage() {
  const isAdmin = can(useRole(), 'admin');
  const utils = trpc.useUtils();
  const [status, setStatus] = useState<string | null>(null);
  const [category, setCategory] = useState<string | null>(null);
  const [search, setSearch] = useState('');
  const [building, setBuilding] = useState(false);
  const templates = trpc.template.list.useQuery(
    {
      ...(status ? { status } : {}),
      ...(category ? { category } : {}),
      ...(search.trim() ? { search: search.trim() } : {}),
    },
    // Reviews finish by webhook: keep the list current while one is pending.
    { refetchInterval: (query) => (query.state.data?.some((t) => t.status === 'PENDING') ? 2000 : false) },
  );
  const sync = trpc.template.sync.useMutation({ onSettled: () => void utils.template.list.invalidate() });
  const synced = sync.data?.reduce((sum, channel) => sum + channel.templates, 0);

  const columns: Column<Template>[] = [
    {
      header: 'Template',
      cell: (t) => (
        <Stack gap={0}>
          <Text size="sm" fw={500}>
            {t.name}
          </Text>
          <Text size="xs" c="dimmed">
            {t.language} · {t.channelName}
          </Text>
        </Stack>
      ),
    },
    {
      header: 'Category',
      width: 130,
      cell: (t) =>
        t.category ? (
          <Badge variant="outline" color="blue">
            {lower(t.category)}
          </Badge>
        ) : null,
    },
    { header: 'Status', cell: (t) => <StatusCell template={t} />, width: 120 },
    {
      header: 'Quality',
      width: 120,
      cell: (t) =>
        t.qualityScore ? (
          <Badge variant="dot" color={qualityColors[t.qualityScore] ?? 'gray'}>
            {t.qualityScore === 'UNKNOWN' ? 'not rated' : lower(t.qualityScore)}
          </Badge>
        ) : null,
    },
    ...(isAdmin ? [{ header: '', cell: (t: Template) => <DeleteMenu template={t} />, width: 90 }] : []),
  ];

  return (
    <Stack>
      <PageHeader title="Templates">
        {isAdmin && (
          <Tooltip label="Reads every template of your WhatsApp accounts from Meta">
            <Button variant="default" onClick={() => sync.mutate({})} loading={sync.isPending}>
              Sync from Meta
            </Button>
          </Tooltip>
        )}
        {isAdmin && !building && <Button onClick={() => setBuilding(true)}>New template</Button>}
      </PageHeader>
      {sync.data && (
        <Alert color="green" withCloseButton onClose={() => sync.reset()}>
          Synced {synced} template{synced === 1 ? '' : 's'} from Meta
          {sync.data.some((c) => c.deleted > 0)
            ? `; ${sync.data.reduce((n, c) => n + c.deleted, 0)} deleted at Meta.`
            : '.'}
        </Alert>
      )}
      <FormError error={sync.error} />
      {building && <TemplateBuilder onDone={() => setBuilding(false)} />}
      <SimpleGrid cols={{ base: 1, sm: 3 }}>
        <TextInput
          label="Search"
          placeholder="Template name"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
        />
        <Select
          label="Status"
          placeholder="Any status"
          data={statuses.map((value) => ({ value, label: lower(value) }))}
          value={status}
          onChange={setStatus}
          clearable
        />
        <Select
          label="Category"
          placeholder="Any category"
          data={categories.map((value) => ({ value, label: lower(value) }))}
          value={category}
          onChange={setCategory}
          clearable
        />
      </SimpleGrid>
      <DataTable
        query={templates}
        rows={templates.data}
        columns={columns}
        rowKey={(t) => t.id}
        empty={
          <Group gap={4} justify="center">
            <Text size="sm">No templates yet.</Text>
            {isAdmin && <Text size="sm">Sync them from Meta, or build a new one.</Text>}
          </Group>
        }
        minWidth={640}
        rowProps={(t) => ({ 'data-testid': 'template-row', 'data-name': t.name })}
      />
    </Stack>
  );
}
