import {
  ActionIcon,
  Button,
  Code,
  Group,
  Modal,
  Paper,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { fillPlaceholders, placeholders } from '../../../../server/domains/cannedResponses/placeholders.ts';
import { cannedResponseInput } from '../../../../server/domains/cannedResponses/schemas.ts';
import { DataTable } from '../../components/DataTable.tsx';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';

type Canned = RouterOutputs['cannedResponse']['list'][number];
const example = { 'contact.name': 'Maya', 'contact.phone': '+15550101010', 'agent.name': 'Ada' };

/** Adds a canned response, or edits one (`editing`). */
function CannedForm({ editing, onDone }: { editing: Canned | null; onDone: () => void }) {
  const utils = trpc.useUtils();
  const form = useForm({
    initialValues: { shortcut: editing?.shortcut ?? '', body: editing?.body ?? '' },
    validate: zodResolver(cannedResponseInput),
  });
  const options = {
    onSuccess: () => {
      void utils.cannedResponse.list.invalidate();
      form.reset();
      onDone();
    },
    onError: (error: Parameters<typeof fieldErrors>[0]) => form.setErrors(fieldErrors(error)),
  };
  const create = trpc.cannedResponse.create.useMutation(options);
  const update = trpc.cannedResponse.update.useMutation(options);
  const error = editing ? update.error : create.error;
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) =>
        editing ? update.mutate({ id: editing.id, ...values }) : create.mutate(values),
      )}
    >
      <Stack gap="sm">
        <TextInput
          label="Shortcut"
          description="Typed after “/” in the reply box"
          leftSection="/"
          required
          maw={280}
          {...form.getInputProps('shortcut')}
        />
        <Textarea label="Text" required autosize minRows={3} maxRows={10} {...form.getInputProps('body')} />
        <Text size="xs" c="dimmed">
          Placeholders:{' '}
          {Object.entries(placeholders).map(([key, meaning]) => (
            <span key={key} title={meaning}>
              <Code>{`{{${key}}}`}</Code>{' '}
            </span>
          ))}
        </Text>
        {form.values.body && (
          <Text size="sm" c="dimmed" style={{ whiteSpace: 'pre-wrap' }} data-testid="canned-preview">
            Preview: {fillPlaceholders(form.values.body, example)}
          </Text>
        )}
        <FormError error={error} shownFields={['shortcut', 'body']} />
        <Group>
          <Button type="submit" loading={create.isPending || update.isPending}>
            {editing ? 'Save' : 'Add canned response'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** /settings/canned-responses: the workspace's "/" shortcuts for the reply box. */
export function CannedResponsesPage() {
  const utils = trpc.useUtils();
  const list = trpc.cannedResponse.list.useQuery();
  const [editing, setEditing] = useState<Canned | null>(null);
  const remove = trpc.cannedResponse.delete.useMutation({
    onSuccess: () => void utils.cannedResponse.list.invalidate(),
  });
  return (
    <Stack gap="md">
      <PageHeader title="Canned responses" />
      <Text size="sm" c="dimmed">
        Type “/” in the reply box to pick one; its placeholders are filled from the conversation.
      </Text>
      <Paper withBorder p="md">
        <CannedForm editing={null} onDone={() => undefined} />
      </Paper>
      <DataTable
        query={list}
        rows={list.data}
        rowKey={(row) => row.id}
        minWidth={480}
        empty="No canned responses yet: add the answers your team types most."
        rowProps={(row) => ({ 'data-testid': `canned-${row.shortcut}` })}
        columns={[
          { header: 'Shortcut', width: 160, cell: (row) => <Code>/{row.shortcut}</Code> },
          {
            header: 'Text',
            cell: (row) => (
              <Text size="sm" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
                {row.body}
              </Text>
            ),
          },
          {
            header: '',
            width: 96,
            cell: (row) => (
              <Group gap={4} wrap="nowrap">
                <ActionIcon
                  variant="subtle"
                  aria-label={`Edit /${row.shortcut}`}
                  onClick={() => setEditing(row)}
                >
                  ✎
                </ActionIcon>
                <ActionIcon
                  variant="subtle"
                  color="red"
                  aria-label={`Delete /${row.shortcut}`}
                  loading={remove.isPending && remove.variables.id === row.id}
                  onClick={() => remove.mutate({ id: row.id })}
                >
                  ✕
                </ActionIcon>
              </Group>
            ),
          },
        ]}
      />
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title="Edit canned response" centered>
        {editing && <CannedForm key={editing.id} editing={editing} onDone={() => setEditing(null)} />}
      </Modal>
    </Stack>
  );
}
