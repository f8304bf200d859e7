import { Alert, Button, Checkbox, Code, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { DataTable, type Column } from '../../components/DataTable.tsx';
import { fieldErrors } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';

type ApiKey = RouterOutputs['apiKey']['list'][number];
type NewKey = RouterInputs['apiKey']['create'];
const scopes: NewKey['scopes'] = ['read', 'write', 'manage'];

function RevokeButton({ apiKey }: { apiKey: ApiKey }) {
  const utils = trpc.useUtils();
  const revoke = trpc.apiKey.revoke.useMutation({ onSuccess: () => void utils.apiKey.list.invalidate() });
  if (apiKey.revokedAt)
    return (
      <Text size="sm" c="dimmed">
        revoked
      </Text>
    );
  return (
    <Button
      size="compact-sm"
      color="red"
      variant="light"
      loading={revoke.isPending}
      onClick={() => revoke.mutate({ id: apiKey.id })}
    >
      Revoke
    </Button>
  );
}

const columns: Column<ApiKey>[] = [
  { header: 'Name', cell: (key) => key.name },
  { header: 'Prefix', cell: (key) => <Code>{key.prefix}</Code> },
  { header: 'Scopes', cell: (key) => key.scopes.join(', ') },
  {
    header: 'Last used',
    cell: (key) => (key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'never'),
  },
  { header: '', cell: (key) => <RevokeButton apiKey={key} /> },
];

/**
 * The form checks on the server only: this input's schema sits in server/domains/apiKeys/router.ts,
 * beside server-only code the browser cannot import.
 */
function CreateKeyForm() {
  const utils = trpc.useUtils();
  const form = useForm<NewKey>({ initialValues: { name: '', scopes: ['read'] } });
  const create = trpc.apiKey.create.useMutation({
    onSuccess: () => void utils.apiKey.list.invalidate(),
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  return (
    <Paper withBorder p="md">
      <form onSubmit={form.onSubmit((values) => create.mutate(values))} noValidate>
        <Group align="flex-end" wrap="wrap">
          <TextInput label="Key name" required {...form.getInputProps('name')} />
          <Checkbox.Group label="Scopes" {...form.getInputProps('scopes')}>
            <Group mt={6}>
              {scopes.map((scope) => (
                <Checkbox key={scope} value={scope} label={scope} />
              ))}
            </Group>
          </Checkbox.Group>
          <Button type="submit" loading={create.isPending}>
            Create key
          </Button>
        </Group>
      </form>
      <FormError error={create.error} shownFields={['name', 'scopes']} mt="sm" />
      {create.data && (
        <Alert color="teal" mt="sm">
          Copy it now, it will not be shown again:{' '}
          <Code data-testid="new-api-key" style={{ overflowWrap: 'anywhere' }}>
            {create.data.token}
          </Code>
        </Alert>
      )}
    </Paper>
  );
}

/** Keys for integrators: the secret is shown once, then only its prefix. */
export function ApiKeysPage() {
  const keys = trpc.apiKey.list.useQuery();
  return (
    <Stack>
      <PageHeader title="API keys" />
      <DataTable
        query={keys}
        rows={keys.data}
        columns={columns}
        rowKey={(key) => key.id}
        empty="No keys yet. Create one for each integration, with only the scopes it needs."
        minWidth={560}
      />
      <CreateKeyForm />
    </Stack>
  );
}
