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
  Switch,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { connectChannelInput } from '../../../../server/domains/channels/schemas.ts';
import { QueryState } from '../../components/DataTable.tsx';
import { fieldErrors, formError } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { can } from '../../components/roles.ts';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs } from '../../trpc.ts';
import { useRole } from '../session/session.ts';

type ConnectValues = Required<Omit<RouterInputs['channel']['connect'], 'graphApiVersion'>>;
const empty: ConnectValues = {
  name: '',
  metaAppId: '',
  appSecret: '',
  verifyToken: '',
  wabaId: '',
  accessToken: '',
};

function ConnectForm() {
  const utils = trpc.useUtils();
  const form = useForm<ConnectValues>({
    initialValues: empty,
    validate: zodResolver(connectChannelInput),
    validateInputOnBlur: true,
  });
  const connect = trpc.channel.connect.useMutation({
    onSuccess: () => {
      form.reset();
      void utils.channel.list.invalidate();
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  const field = (key: keyof ConnectValues, label: string, secret = false) => {
    const props = { label, required: true, ...form.getInputProps(key) };
    return secret ? <PasswordInput {...props} /> : <TextInput {...props} />;
  };
  return (
    <Paper withBorder p="md">
      <form onSubmit={form.onSubmit((values) => connect.mutate(values))} noValidate>
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
          <FormError error={connect.error} />
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

/** On an empty Channels page: one click to a working channel backed by the built-in simulator. */
function TrySandbox() {
  const utils = trpc.useUtils();
  const start = trpc.channel.trySandbox.useMutation({
    onSuccess: () => void utils.invalidate(),
  });
  return (
    <Paper withBorder p="md" data-testid="try-sandbox">
      <Stack gap="xs">
        <Title order={5}>No WhatsApp account yet?</Title>
        <Text size="sm">
          Try Parley with a simulated WhatsApp number: a customer writes to you at once, you reply from the
          Inbox, and a Customer panel beside the conversation lets you write back as them. Nothing to set up;
          connect a real account below whenever you are ready.
        </Text>
        <FormError error={start.error} />
        <Group>
          <Button color="grape" onClick={() => start.mutate()} loading={start.isPending}>
            Try the sandbox
          </Button>
        </Group>
      </Stack>
    </Paper>
  );
}

function ReadReceipts({ channelId, enabled }: { channelId: string; enabled: boolean }) {
  const utils = trpc.useUtils();
  const set = trpc.channel.setReadReceipts.useMutation({
    onSuccess: () => void utils.channel.list.invalidate(),
  });
  return (
    <Stack gap={2}>
      <Switch
        label="Send read receipts when an agent opens a conversation"
        checked={enabled}
        disabled={set.isPending}
        onChange={(e) => set.mutate({ channelId, enabled: e.currentTarget.checked })}
      />
      {formError(set.error) && (
        <Text size="xs" c="red">
          {formError(set.error)}
        </Text>
      )}
    </Stack>
  );
}

/**
 * Channels with their webhook URL and numbers; secrets are never shown again after connecting. Only
 * admins connect channels; others see what is connected.
 */
export function ChannelsPage() {
  const role = useRole();
  const channels = trpc.channel.list.useQuery();
  return (
    <Stack>
      <PageHeader title="Channels" />
      {channels.data?.length === 0 && can(role, 'admin') && <TrySandbox />}
      {/* Empty is said below (with what this role can do about it); here only loading and failure. */}
      <QueryState query={channels} isEmpty={false} empty={null}>
        {null}
      </QueryState>
      {channels.data?.map((channel) => (
        <Paper key={channel.id} withBorder p="md" data-testid="channel">
          <Stack gap="xs">
            <Group justify="space-between">
              <Group gap="xs">
                <Text fw={600}>{channel.name}</Text>
                {channel.isSandbox && (
                  <Badge variant="light" color="grape">
                    sandbox
                  </Badge>
                )}
              </Group>
              <Badge color={channel.status === 'active' ? 'teal' : 'red'}>{channel.status}</Badge>
            </Group>
            {channel.isSandbox && (
              <Text size="sm" c="dimmed">
                Simulated by this server: open the Inbox, pick the conversation, and use the Customer panel
                beside it to write as the customer.
              </Text>
            )}
            {channel.rejectedSignatures.count > 0 && (
              <Alert color="orange" data-testid="rejected-signatures">
                {channel.rejectedSignatures.count} webhook{' '}
                {channel.rejectedSignatures.count === 1 ? 'delivery was' : 'deliveries were'} refused for a
                bad signature
                {channel.rejectedSignatures.lastAt
                  ? ` (last ${new Date(channel.rejectedSignatures.lastAt).toLocaleString()})`
                  : ''}
                . Check that the app secret here is the one in Meta&apos;s App settings → Basic.
              </Alert>
            )}
            {can(role, 'admin') && <ReadReceipts channelId={channel.id} enabled={channel.sendReadReceipts} />}
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
