import { Badge, Button, FileButton, Group, Paper, Stack, Text, Textarea, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { z } from 'zod';
import { segmentName } from '../../../../server/domains/campaigns/schemas.ts';
import type { ContactFilter } from '../../../../server/domains/contacts/schemas.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { AudienceCount } from './AudienceCount.tsx';
import { describeFilter } from './segment-form.ts';
import { SegmentEditor } from './SegmentEditor.tsx';

type Segment = RouterOutputs['segment']['list'][number];

/** Phone numbers from pasted text or a file: one a line, or the cells of a CSV (first column that looks like one). */
export function phonesOf(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.split(/[;,\t]/).find((cell) => /\d{5,}/.test(cell.replace(/\D/g, ''))) ?? '')
    .map((cell) => cell.replace(/^"|"$/g, '').trim())
    .filter(Boolean);
}

const listFormSchema = z.object({
  name: segmentName,
  numbers: z
    .string()
    .refine((text) => phonesOf(text).length > 0, 'Paste or upload at least one phone number.'),
});

/** An uploaded list of phone numbers as an audience (numbers not yet contacts become contacts). */
function ListUpload({ onDone }: { onDone: () => void }) {
  const utils = trpc.useUtils();
  const form = useForm({ initialValues: { name: '', numbers: '' }, validate: zodResolver(listFormSchema) });
  const create = trpc.segment.create.useMutation({
    onSuccess: async (result) => {
      await utils.segment.invalidate();
      if (result.invalid.length === 0) onDone();
    },
  });
  return (
    <Paper
      withBorder
      p="md"
      component="form"
      onSubmit={form.onSubmit((values) =>
        create.mutate({ kind: 'list', name: values.name, phones: phonesOf(values.numbers) }),
      )}
    >
      <Stack gap="sm">
        <TextInput label="List name" {...form.getInputProps('name')} />
        <Textarea
          label="Phone numbers, with their country code"
          description="One a line, or upload a CSV: the first column holding a number is read."
          autosize
          minRows={4}
          maxRows={10}
          {...form.getInputProps('numbers')}
        />
        <Group>
          <FileButton
            accept=".csv,.txt,text/csv,text/plain"
            onChange={(file) => void file?.text().then((text) => form.setFieldValue('numbers', text))}
          >
            {(props) => (
              <Button variant="light" size="compact-sm" {...props}>
                Read a file
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            {phonesOf(form.values.numbers).length.toLocaleString()} numbers
          </Text>
        </Group>
        {create.data && create.data.invalid.length > 0 && (
          <Text size="sm" c="orange" role="status">
            Saved. These lines are not phone numbers and were left out: {create.data.invalid.join(', ')}
          </Text>
        )}
        <FormError error={create.error} shownFields={['name']} />
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            {create.data ? 'Close' : 'Cancel'}
          </Button>
          <Button type="submit" loading={create.isPending} disabled={Boolean(create.data)}>
            Save list
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function SegmentReach({ id }: { id: string }) {
  const count = trpc.segment.count.useQuery({ id });
  return <AudienceCount count={count.data} loading={count.isFetching} />;
}

/** /segments: saved audiences, each with who it reaches now; build, edit and delete them. */
export function SegmentsPage() {
  const utils = trpc.useUtils();
  const segments = trpc.segment.list.useQuery();
  const [editing, setEditing] = useState<Segment | 'new' | 'list' | null>(null);
  const remove = trpc.segment.delete.useMutation({ onSuccess: () => void utils.segment.invalidate() });
  return (
    <Stack gap="md">
      <PageHeader title="Audiences">
        <Button onClick={() => setEditing('new')} disabled={editing !== null}>
          New audience
        </Button>
        <Button variant="light" onClick={() => setEditing('list')} disabled={editing !== null}>
          Upload a list
        </Button>
      </PageHeader>
      {editing === 'list' && <ListUpload onDone={() => setEditing(null)} />}
      {editing !== null && editing !== 'list' && (
        <SegmentEditor
          key={editing === 'new' ? 'new' : editing.id}
          segment={editing === 'new' ? undefined : editing}
          onDone={() => setEditing(null)}
        />
      )}
      <FormError error={remove.error} />
      <DataTable
        query={segments}
        rows={segments.data}
        rowKey={(segment) => segment.id}
        minWidth={560}
        empty="No audiences yet: build one from conditions on your contacts, or upload a list of numbers."
        rowProps={() => ({ 'data-testid': 'segment-row' })}
        columns={[
          {
            header: 'Audience',
            cell: (segment) => (
              <Stack gap={2}>
                <Group gap="xs" wrap="nowrap">
                  <Text size="sm" fw={500}>
                    {segment.name}
                  </Text>
                  {segment.kind === 'list' && (
                    <Badge size="xs" variant="light">
                      list
                    </Badge>
                  )}
                </Group>
                <Text size="xs" c="dimmed">
                  {segment.kind === 'list'
                    ? 'Uploaded numbers'
                    : describeFilter(segment.filter as ContactFilter)}
                </Text>
              </Stack>
            ),
          },
          { header: 'Reaches now', width: 220, cell: (segment) => <SegmentReach id={segment.id} /> },
          {
            header: '',
            width: 150,
            cell: (segment) => (
              <Group gap="xs" wrap="nowrap" justify="flex-end">
                {segment.kind === 'filter' && (
                  <Button size="compact-xs" variant="subtle" onClick={() => setEditing(segment)}>
                    Edit
                  </Button>
                )}
                <Button
                  size="compact-xs"
                  variant="subtle"
                  color="red"
                  loading={remove.isPending && remove.variables.id === segment.id}
                  onClick={() => {
                    if (
                      window.confirm(
                        `Delete the audience “${segment.name}”? Campaigns keep their recipients.`,
                      )
                    )
                      remove.mutate({ id: segment.id });
                  }}
                >
                  Delete
                </Button>
              </Group>
            ),
          },
        ]}
      />
    </Stack>
  );
}
