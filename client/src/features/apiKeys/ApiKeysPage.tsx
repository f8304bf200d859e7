import {
  Alert,
  Button,
  Checkbox,
  Code,
  Group,
  Paper,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { fieldErrors, formError } from '../../components/errors.ts';
import { trpc } from '../../trpc.ts';

type Scope = 'read' | 'write' | 'manage';

/** Keys for integrators: the secret is shown once, then only its prefix. */
export function ApiKeysPage() {
  const utils = trpc.useUtils();
  const keys = trpc.apiKey.list.useQuery();
  const create = trpc.apiKey.create.useMutation({ onSuccess: () => void utils.apiKey.list.invalidate() });
  const revoke = trpc.apiKey.revoke.useMutation({ onSuccess: () => void utils.apiKey.list.invalidate() });
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['read']);
  return (
    <Stack>
      <Title order={4}>API keys</Title>
      <Table.ScrollContainer minWidth={560}>
        <Table>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Prefix</Table.Th>
              <Table.Th>Scopes</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {keys.data?.map((key) => (
              <Table.Tr key={key.id}>
                <Table.Td>{key.name}</Table.Td>
                <Table.Td>
                  <Code>{key.prefix}</Code>
                </Table.Td>
                <Table.Td>{key.scopes.join(', ')}</Table.Td>
                <Table.Td>{key.lastUsedAt ? new Date(key.lastUsedAt).toLocaleString() : 'never'}</Table.Td>
                <Table.Td>
                  {key.revokedAt ? (
                    <Text size="sm" c="dimmed">
                      revoked
                    </Text>
                  ) : (
                    <Button
                      size="compact-sm"
                      color="red"
                      variant="light"
                      onClick={() => revoke.mutate({ id: key.id })}
                    >
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </Table.ScrollContainer>
      <Paper withBorder p="md">
        <form
          onSubmit={(event) => {
            event.preventDefault();
            create.mutate({ name, scopes });
          }}
        >
          <Group align="flex-end" wrap="wrap">
            <TextInput
              label="Key name"
              value={name}
              onChange={(e) => setName(e.currentTarget.value)}
              error={fieldErrors(create.error).name}
              required
            />
            <Checkbox.Group
              label="Scopes"
              value={scopes}
              onChange={(value) => setScopes(value)}
              error={fieldErrors(create.error).scopes}
            >
              <Group mt={6}>
                <Checkbox value="read" label="read" />
                <Checkbox value="write" label="write" />
                <Checkbox value="manage" label="manage" />
              </Group>
            </Checkbox.Group>
            <Button type="submit" loading={create.isPending}>
              Create key
            </Button>
          </Group>
        </form>
        {formError(create.error) && (
          <Alert color="red" mt="sm">
            {formError(create.error)}
          </Alert>
        )}
        {create.data && (
          <Alert color="teal" mt="sm">
            Copy it now, it will not be shown again:{' '}
            <Code data-testid="new-api-key" style={{ overflowWrap: 'anywhere' }}>
              {create.data.token}
            </Code>
          </Alert>
        )}
      </Paper>
    </Stack>
  );
}
