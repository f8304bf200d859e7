import {
  Alert,
  Badge,
  Button,
  Code,
  CopyButton,
  Group,
  Paper,
  PasswordInput,
  SimpleGrid,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { fieldErrors, formError } from '../../components/errors.ts';
import { can } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';

const empty = { name: '', metaAppId: '', appSecret: '', verifyToken: '', wabaId: '', accessToken: '' };

function ConnectForm() {
  const utils = trpc.useUtils();
  const connect = trpc.channel.connect.useMutation({
    onSuccess: () => {
      setForm(empty);
      void utils.channel.list.invalidate();
    },
  });
  const [form, setForm] = useState(empty);
  const errors = fieldErrors(connect.error);
  const field = (key: keyof typeof empty, label: string, secret = false) => {
    const props = {
      label,
      value: form[key],
      error: errors[key],
      required: true,
      onChange: (e: { currentTarget: { value: string } }) =>
        setForm({ ...form, [key]: e.currentTarget.value }),
    };
    return secret ? <PasswordInput {...props} /> : <TextInput {...props} />;
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    connect.mutate(form);
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={submit}>
        <Stack>
          <Title order={5}>Connect a WhatsApp Business Account</Title>
          <SimpleGrid cols={{ base: 1, md: 2 }}>
            {field('name', 'Channel name')}
            {field('metaAppId', 'Meta app id')}
            {field('appSecret', 'App secret', true)}
            {field('verifyToken', 'Verify token (you choose it)', true)}
            {field('wabaId', 'WhatsApp Business Account id')}
            {field('accessToken', 'System user access token', true)}
          </SimpleGrid>
          {formError(connect.error) && <Alert color="red">{formError(connect.error)}</Alert>}
          <Group>
            <Button type="submit" loading={connect.isPending}>
              Test and connect
            </Button>
          </Group>
        </Stack>
      </form>
    </Paper>
  );
}

/**
 * Channels with their webhook URL and numbers; secrets are never shown again after connecting. Only
 * admins connect channels; others see what is connected.
 */
export function ChannelsPage({ role }: { role: string }) {
  const channels = trpc.channel.list.useQuery();
  return (
    <Stack>
      <Title order={4}>Channels</Title>
      {channels.data?.map((channel) => (
        <Paper key={channel.id} withBorder p="md" data-testid="channel">
          <Stack gap="xs">
            <Group justify="space-between">
              <Text fw={600}>{channel.name}</Text>
              <Badge color={channel.status === 'active' ? 'teal' : 'red'}>{channel.status}</Badge>
            </Group>
            <Group gap="xs" wrap="wrap">
              <Text size="sm">Webhook URL:</Text>
              <Code data-testid="webhook-url" style={{ overflowWrap: 'anywhere' }}>
                {channel.webhookUrl}
              </Code>
              <CopyButton value={channel.webhookUrl}>
                {({ copied, copy }) => (
                  <Button size="compact-xs" variant="light" onClick={copy}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
            {channel.accountEvent && (
              <Alert color="red">
                Meta reported {channel.accountEvent.event} on{' '}
                {new Date(channel.accountEvent.at).toLocaleString()}.
              </Alert>
            )}
            <Table.ScrollContainer minWidth={480}>
              <Table>
                <Table.Thead>
                  <Table.Tr>
                    <Table.Th>Number</Table.Th>
                    <Table.Th>Name</Table.Th>
                    <Table.Th>Quality</Table.Th>
                    <Table.Th>Tier</Table.Th>
                    <Table.Th>Msg/s</Table.Th>
                  </Table.Tr>
                </Table.Thead>
                <Table.Tbody>
                  {channel.phoneNumbers.map((number) => (
                    <Table.Tr key={number.id}>
                      <Table.Td>{number.displayPhoneNumber}</Table.Td>
                      <Table.Td>{number.verifiedName}</Table.Td>
                      <Table.Td>{number.qualityRating ?? '—'}</Table.Td>
                      <Table.Td>{number.messagingLimitTier ?? '—'}</Table.Td>
                      <Table.Td>{number.throughputMps}</Table.Td>
                    </Table.Tr>
                  ))}
                </Table.Tbody>
              </Table>
            </Table.ScrollContainer>
          </Stack>
        </Paper>
      ))}
      {can(role, 'admin') ? (
        <ConnectForm />
      ) : (
        channels.data?.length === 0 && (
          <Text c="dimmed">No channel is connected yet. An admin of this workspace can connect one.</Text>
        )
      )}
    </Stack>
  );
}
