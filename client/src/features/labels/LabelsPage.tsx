import {
  Badge,
  Button,
  CheckIcon,
  ColorSwatch,
  Group,
  Paper,
  Stack,
  Text,
  TextInput,
  Title,
  useMantineTheme,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useState } from 'react';
import { labelColors, labelDraftSchema } from '../../../../server/domains/labels/schemas.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';

type Label = RouterOutputs['label']['list'][number];
type Draft = RouterInputs['label']['create'];

/** The palette as swatches: one is chosen (a radio group, keyboard-usable). */
function ColorChoice({
  value,
  onChange,
}: {
  value: Draft['color'];
  onChange: (color: Draft['color']) => void;
}) {
  const theme = useMantineTheme();
  return (
    <Group gap={6} role="radiogroup" aria-label="Colour">
      {labelColors.map((color) => (
        <ColorSwatch
          key={color}
          component="button"
          type="button"
          role="radio"
          aria-checked={value === color}
          aria-label={color}
          color={theme.colors[color]?.[6] ?? color}
          size={22}
          onClick={() => onChange(color)}
          style={{ color: '#fff', cursor: 'pointer' }}
        >
          {value === color && <CheckIcon size={10} />}
        </ColorSwatch>
      ))}
    </Group>
  );
}

function LabelForm({ label, onDone }: { label?: Label; onDone?: () => void }) {
  const utils = trpc.useUtils();
  const form = useForm<Draft>({
    initialValues: { name: label?.name ?? '', color: label?.color ?? 'blue' },
    validate: zodResolver(labelDraftSchema),
  });
  const done = () => {
    void utils.label.list.invalidate();
    if (!label) form.reset();
    onDone?.();
  };
  const create = trpc.label.create.useMutation({
    onSuccess: done,
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  const update = trpc.label.update.useMutation({
    onSuccess: done,
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  const saving = create.isPending || update.isPending;
  return (
    <form
      noValidate
      onSubmit={form.onSubmit((values) =>
        label ? update.mutate({ ...values, id: label.id }) : create.mutate(values),
      )}
    >
      <Stack gap="xs">
        <TextInput
          label="Name"
          required
          maxLength={40}
          maw={320}
          {...form.getInputProps('name')}
          data-testid="label-name"
        />
        <ColorChoice value={form.values.color} onChange={(color) => form.setFieldValue('color', color)} />
        <Group wrap="wrap">
          <Button type="submit" loading={saving}>
            {label ? 'Save' : 'Add label'}
          </Button>
          {label && (
            <Button variant="default" onClick={onDone}>
              Cancel
            </Button>
          )}
        </Group>
        <FormError error={create.error ?? update.error} shownFields={['name', 'color']} />
      </Stack>
    </form>
  );
}

/** /settings/labels: the workspace's labels (admins add, rename, recolour and delete them). */
export function LabelsPage() {
  const labels = trpc.label.list.useQuery();
  const utils = trpc.useUtils();
  const [editing, setEditing] = useState<string | null>(null);
  const remove = trpc.label.delete.useMutation({ onSettled: () => void utils.label.list.invalidate() });
  const columns: Column<Label>[] = [
    {
      header: 'Label',
      cell: (label) =>
        editing === label.id ? (
          <LabelForm label={label} onDone={() => setEditing(null)} />
        ) : (
          <Badge color={label.color} variant="light">
            {label.name}
          </Badge>
        ),
    },
    { header: 'Conversations', cell: (label) => label.conversations.toLocaleString() },
    {
      header: '',
      cell: (label) =>
        editing === label.id ? null : (
          <Group gap={4} justify="flex-end" wrap="nowrap">
            <Button
              size="compact-xs"
              variant="subtle"
              aria-label={`Edit ${label.name}`}
              onClick={() => setEditing(label.id)}
            >
              Edit
            </Button>
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              aria-label={`Delete ${label.name}`}
              loading={remove.isPending && remove.variables.id === label.id}
              onClick={() => {
                if (window.confirm(`Delete “${label.name}”? It leaves every conversation that has it.`)) {
                  remove.mutate({ id: label.id });
                }
              }}
            >
              Delete
            </Button>
          </Group>
        ),
    },
  ];
  return (
    <Stack>
      <Title order={5}>Labels</Title>
      <Text size="sm" c="dimmed">
        Agents put labels on conversations; the inbox filters by them.
      </Text>
      <Paper withBorder p="md">
        <LabelForm />
      </Paper>
      <DataTable
        query={labels}
        rows={labels.data}
        columns={columns}
        rowKey={(label) => label.id}
        empty="No labels yet."
        minWidth={320}
      />
      {remove.error && (
        <Text size="sm" c="red" role="alert">
          {remove.error.message}
        </Text>
      )}
    </Stack>
  );
}
