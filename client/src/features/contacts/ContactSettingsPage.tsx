import { Badge, Button, Group, Paper, Select, Stack, TagsInput, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import {
  attributeTypes,
  contactSettingsSchema,
  createAttributeSchema,
} from '../../../../server/domains/contacts/schemas.ts';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs } from '../../trpc.ts';
import type { AttributeDefinition } from './AttributeInput.tsx';
import { countryOptions } from './countries.ts';

type Settings = RouterInputs['contactSettings']['set'];
type NewAttribute = RouterInputs['contactAttribute']['create'];

/** The default country for numbers without one, and the inbound words that opt a contact out. */
function ContactDefaults() {
  const settings = trpc.contactSettings.get.useQuery();
  return settings.data ? <ContactDefaultsForm saved={settings.data} /> : null;
}

function ContactDefaultsForm({ saved }: { saved: Settings }) {
  const utils = trpc.useUtils();
  const form = useForm<Settings>({ initialValues: saved, validate: zodResolver(contactSettingsSchema) });
  const save = trpc.contactSettings.set.useMutation({
    onSuccess: (next) => {
      utils.contactSettings.get.setData(undefined, next);
      // The server stores keywords upper-cased, unique and sorted: show what it kept.
      form.setValues(next);
      form.resetDirty(next);
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <Paper withBorder p="md">
      <form noValidate onSubmit={form.onSubmit((values) => save.mutate(values))}>
        <Stack gap="sm">
          <Select
            label="Default country"
            description="Numbers written without a country code (imports, new contacts) are read in it."
            data={countryOptions}
            searchable
            clearable
            maw={360}
            {...form.getInputProps('defaultCountry')}
          />
          <TagsInput
            label="Opt-out keywords"
            description="A customer message that is exactly one of these opts them out of campaigns (STOP always does)."
            maw={480}
            {...form.getInputProps('optOutKeywords')}
          />
          <FormError error={save.error} shownFields={['defaultCountry', 'optOutKeywords']} />
          <Group>
            <Button type="submit" loading={save.isPending}>
              Save
            </Button>
            {save.isSuccess && !form.isDirty() && (
              <Text size="sm" c="dimmed">
                Saved.
              </Text>
            )}
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

function AttributeForm() {
  const utils = trpc.useUtils();
  const form = useForm<NewAttribute>({
    initialValues: { key: '', label: '', type: 'text', options: undefined },
    validate: zodResolver(createAttributeSchema),
  });
  const create = trpc.contactAttribute.create.useMutation({
    onSuccess: () => {
      void utils.contactAttribute.list.invalidate();
      form.reset();
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <form noValidate onSubmit={form.onSubmit((values) => create.mutate(values))}>
      <Stack gap="xs">
        <Group align="flex-start" wrap="wrap" gap="xs">
          <TextInput label="Label" required w={200} {...form.getInputProps('label')} />
          <TextInput
            label="Key"
            description="In CSV columns and filters"
            required
            w={200}
            {...form.getInputProps('key')}
          />
          <Select
            label="Type"
            data={[...attributeTypes]}
            allowDeselect={false}
            w={140}
            {...form.getInputProps('type')}
            onChange={(type) => {
              form.setFieldValue('type', (type ?? 'text') as NewAttribute['type']);
              form.setFieldValue('options', type === 'list' ? [] : undefined);
            }}
          />
        </Group>
        {form.values.type === 'list' && (
          <TagsInput
            label="Options"
            maw={480}
            {...form.getInputProps('options')}
            value={form.values.options ?? []}
          />
        )}
        <FormError error={create.error} shownFields={['key', 'label', 'type', 'options']} />
        <Group>
          <Button type="submit" loading={create.isPending}>
            Add attribute
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** /settings/contacts: the contact book's workspace settings and custom attributes (admins). */
export function ContactSettingsPage() {
  const attributes = trpc.contactAttribute.list.useQuery();
  const utils = trpc.useUtils();
  const remove = trpc.contactAttribute.delete.useMutation({
    onSettled: () => void utils.contactAttribute.list.invalidate(),
  });
  const columns: Column<AttributeDefinition>[] = [
    { header: 'Label', cell: (a) => a.label },
    { header: 'Key', cell: (a) => <code>{a.key}</code> },
    {
      header: 'Type',
      cell: (a) => (
        <Group gap={4}>
          <Badge variant="light">{a.type}</Badge>
          {a.options && (
            <Text size="xs" c="dimmed">
              {a.options.join(', ')}
            </Text>
          )}
        </Group>
      ),
    },
    {
      header: '',
      cell: (a) => (
        <Button
          size="compact-xs"
          variant="subtle"
          color="red"
          aria-label={`Delete ${a.label}`}
          onClick={() => {
            if (window.confirm(`Delete “${a.label}” and every contact’s value for it?`))
              remove.mutate({ key: a.key });
          }}
        >
          Delete
        </Button>
      ),
    },
  ];
  return (
    <Stack>
      <Title order={5}>Contacts</Title>
      <ContactDefaults />
      <Title order={5}>Custom attributes</Title>
      <Text size="sm" c="dimmed">
        Typed fields every contact can have: filters, imports, exports and campaign variables use them.
      </Text>
      <Paper withBorder p="md">
        <AttributeForm />
      </Paper>
      <DataTable
        query={attributes}
        rows={attributes.data}
        columns={columns}
        rowKey={(a) => a.key}
        empty="No custom attributes yet."
        minWidth={420}
        data-testid="attributes"
      />
    </Stack>
  );
}
