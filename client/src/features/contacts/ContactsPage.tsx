import {
  ActionIcon,
  Anchor,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  MultiSelect,
  Paper,
  Select,
  Stack,
  TagsInput,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link } from 'react-router';
import { can } from '../../components/roles.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';
import { useRole } from '../session/session.ts';
import { formatAttribute } from './AttributeInput.tsx';
import { countryName, countryOptions } from './countries.ts';
import { exportCsvUrl } from './download.ts';
import { toCondition, type Condition, type DraftCondition } from './filter.ts';
import { NewContactForm } from './NewContactForm.tsx';

type Row = RouterOutputs['contact']['list']['items'][number];
type Filter = NonNullable<RouterInputs['contact']['list']['filter']>;

const pageSize = 50;

/** How a contact stands on campaigns: the filter's choices and their meaning (contactFilterSchema). */
const consentChoices = [
  { value: 'in', label: 'Opted in' },
  { value: 'out', label: 'Opted out' },
  { value: 'none', label: 'Not opted in' },
] as const;

const operators: { value: Condition['op']; label: string }[] = [
  { value: 'is', label: 'is' },
  { value: 'isNot', label: 'is not' },
  { value: 'contains', label: 'contains' },
  { value: 'gt', label: 'greater / after' },
  { value: 'lt', label: 'less / before' },
  { value: 'set', label: 'has a value' },
  { value: 'notSet', label: 'has no value' },
];

export function consentBadge(row: Pick<Row, 'optedInAt' | 'optedOutAt'>) {
  if (row.optedOutAt)
    return (
      <Badge color="red" variant="light">
        Opted out
      </Badge>
    );
  if (row.optedInAt)
    return (
      <Badge color="green" variant="light">
        Opted in
      </Badge>
    );
  return (
    <Badge color="gray" variant="light">
      No consent
    </Badge>
  );
}

/** Adds or removes a tag on the chosen contacts. */
function BulkTag({ ids, onDone }: { ids: string[]; onDone: () => void }) {
  const utils = trpc.useUtils();
  const [tag, setTag] = useState('');
  const retag = trpc.contact.tag.useMutation({
    onSuccess: () => {
      void utils.contact.list.invalidate();
      setTag('');
      onDone();
    },
  });
  return (
    <Paper withBorder p="xs" data-testid="bulk-tag">
      <Group gap="xs" wrap="wrap">
        <Text size="sm">{ids.length} chosen</Text>
        <TextInput
          size="xs"
          placeholder="Tag"
          aria-label="Tag for the chosen contacts"
          value={tag}
          onChange={(e) => setTag(e.currentTarget.value)}
        />
        <Button
          size="xs"
          disabled={!tag.trim()}
          loading={retag.isPending}
          onClick={() => retag.mutate({ ids, add: [tag.trim()], remove: [] })}
        >
          Add tag
        </Button>
        <Button
          size="xs"
          variant="default"
          disabled={!tag.trim()}
          loading={retag.isPending}
          onClick={() => retag.mutate({ ids, add: [], remove: [tag.trim()] })}
        >
          Remove tag
        </Button>
        {retag.error && (
          <Text size="sm" c="red" role="alert">
            {retag.error.message}
          </Text>
        )}
      </Group>
    </Paper>
  );
}

/** /contacts: the contact book, filtered and paged, with bulk tagging, CSV export and import. */
export function ContactsPage() {
  const role = useRole();
  const mayEdit = can(role, 'agent');
  const definitions = trpc.contactAttribute.list.useQuery().data ?? [];
  const [search, setSearch] = useState('');
  const [debouncedSearch] = useDebouncedValue(search, 300);
  const [tags, setTags] = useState<string[]>([]);
  const [consent, setConsent] = useState<string | null>(null);
  const [countries, setCountries] = useState<string[]>([]);
  const [drafts, setDrafts] = useState<DraftCondition[]>([]);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [adding, addDialog] = useDisclosure(false);

  const filter = useMemo<Filter>(() => {
    const attributes = drafts
      .map((d) => toCondition(d, definitions))
      .filter((c): c is Condition => c !== null);
    return {
      ...(debouncedSearch.trim() ? { search: debouncedSearch.trim() } : {}),
      ...(tags.length ? { tags: { any: tags } } : {}),
      ...(consent === 'in' ? { optedIn: true } : {}),
      ...(consent === 'out' ? { optedOut: true } : {}),
      ...(consent === 'none' ? { optedIn: false, optedOut: false } : {}),
      ...(countries.length ? { countries } : {}),
      ...(attributes.length ? { attributes } : {}),
    };
  }, [debouncedSearch, tags, consent, countries, drafts, definitions]);

  const list = trpc.contact.list.useInfiniteQuery(
    { filter, limit: pageSize },
    { getNextPageParam: (page) => page.nextCursor ?? undefined },
  );
  const count = trpc.contact.count.useQuery({ filter });
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items), [list.data]);
  const toggle = (id: string) =>
    setChosen((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  const columns: Column<Row>[] = [
    ...(mayEdit
      ? [
          {
            header: (
              <Checkbox
                aria-label="Choose every contact shown"
                checked={!!rows?.length && rows.every((r) => chosen.has(r.id))}
                onChange={(e) =>
                  setChosen(e.currentTarget.checked ? new Set(rows?.map((r) => r.id)) : new Set())
                }
              />
            ),
            width: 36,
            cell: (row: Row) => (
              <Checkbox
                aria-label={`Choose ${row.name ?? row.waId ?? 'contact'}`}
                checked={chosen.has(row.id)}
                onChange={() => toggle(row.id)}
              />
            ),
          },
        ]
      : []),
    {
      header: 'Name',
      cell: (row) => (
        <Anchor component={Link} to={`/contacts/${row.id}`} data-testid="contact-link">
          {row.name ?? (row.waId ? `+${row.waId}` : 'Unnamed')}
        </Anchor>
      ),
    },
    { header: 'Phone', cell: (row) => (row.waId ? `+${row.waId}` : '—') },
    { header: 'Country', cell: (row) => (row.country ? countryName(row.country) : '—') },
    {
      header: 'Tags',
      cell: (row) => (
        <Group gap={4}>
          {row.tags.map((t) => (
            <Badge key={t} size="sm" variant="outline">
              {t}
            </Badge>
          ))}
        </Group>
      ),
    },
    { header: 'Campaigns', cell: consentBadge },
    ...definitions.slice(0, 3).map((d) => ({
      header: d.label,
      cell: (row: Row) => formatAttribute(d, row.attributes[d.key] ?? null),
    })),
  ];

  return (
    <Stack>
      <PageHeader title="Contacts">
        <Button component="a" href={exportCsvUrl(filter)} variant="default" download>
          Export CSV
        </Button>
        {mayEdit && (
          <>
            <Button component={Link} to="/contacts/import" variant="default">
              Import CSV
            </Button>
            <Button onClick={addDialog.open}>New contact</Button>
          </>
        )}
      </PageHeader>
      <Modal opened={adding} onClose={addDialog.close} title="New contact">
        <NewContactForm onDone={addDialog.close} />
      </Modal>
      <Group gap="xs" align="flex-end" wrap="wrap">
        <TextInput
          label="Search"
          placeholder="Name, number or email"
          value={search}
          onChange={(e) => setSearch(e.currentTarget.value)}
          w={{ base: '100%', sm: 220 }}
        />
        <TagsInput label="Any of the tags" value={tags} onChange={setTags} w={{ base: '100%', sm: 200 }} />
        <Select
          label="Campaign consent"
          data={[...consentChoices]}
          value={consent}
          onChange={setConsent}
          clearable
          placeholder="Any"
          w={{ base: '100%', sm: 160 }}
        />
        <MultiSelect
          label="Countries"
          data={countryOptions}
          value={countries}
          onChange={setCountries}
          searchable
          placeholder={countries.length ? undefined : 'Any'}
          w={{ base: '100%', sm: 220 }}
        />
        {definitions.length > 0 && (
          <Button
            variant="subtle"
            onClick={() => setDrafts([...drafts, { key: definitions[0]?.key ?? null, op: 'is', value: '' }])}
          >
            + Attribute filter
          </Button>
        )}
      </Group>
      {drafts.map((draft, index) => {
        const update = (patch: Partial<DraftCondition>) =>
          setDrafts(drafts.map((d, i) => (i === index ? { ...d, ...patch } : d)));
        return (
          <Group key={index} gap="xs" align="flex-end" wrap="wrap" data-testid="attribute-filter">
            <Select
              aria-label="Attribute"
              data={definitions.map((d) => ({ value: d.key, label: d.label }))}
              value={draft.key}
              onChange={(key) => update({ key })}
              w={160}
            />
            <Select
              aria-label="Condition"
              data={operators}
              value={draft.op}
              onChange={(op) => op && update({ op: op })}
              w={150}
            />
            {draft.op !== 'set' && draft.op !== 'notSet' && (
              <TextInput
                aria-label="Value"
                placeholder="value"
                value={draft.value}
                onChange={(e) => update({ value: e.currentTarget.value })}
                w={160}
              />
            )}
            <ActionIcon
              variant="subtle"
              aria-label="Remove this filter"
              onClick={() => setDrafts(drafts.filter((_, i) => i !== index))}
            >
              ×
            </ActionIcon>
          </Group>
        );
      })}
      <Text size="sm" c="dimmed" data-testid="contact-count">
        {count.data ? `${count.data.count.toLocaleString()} contacts` : ' '}
      </Text>
      {mayEdit && chosen.size > 0 && <BulkTag ids={[...chosen]} onDone={() => setChosen(new Set())} />}
      <DataTable
        query={list}
        rows={rows}
        columns={columns}
        rowKey={(row) => row.id}
        rowProps={() => ({ 'data-testid': 'contact-row' })}
        empty={
          Object.keys(filter).length
            ? 'No contact matches these filters.'
            : 'No contacts yet. Add one, import a CSV, or wait for customers to write.'
        }
        minWidth={720}
        striped
        highlightOnHover
      />
      {list.hasNextPage && (
        <Group justify="center">
          <Button
            variant="default"
            loading={list.isFetchingNextPage}
            onClick={() => void list.fetchNextPage()}
          >
            Load more
          </Button>
        </Group>
      )}
    </Stack>
  );
}
