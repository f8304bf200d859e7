import {
  ActionIcon,
  Badge,
  Button,
  Drawer,
  Group,
  Paper,
  ScrollArea,
  Select,
  Stack,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { FormError } from '../../components/FormError.tsx';
import { trpc, type RouterInputs } from '../../trpc.ts';

type CustomerMessage = RouterInputs['channel']['sandboxCustomerSends']['message'];

/** Sample content for each inbound type, so one click shows how Parley handles it. */
const kinds: { value: string; label: string; build: (text: string) => CustomerMessage }[] = [
  { value: 'text', label: 'Text', build: (text) => ({ type: 'text', text: text || 'Hello!' }) },
  {
    value: 'image',
    label: 'Image',
    build: (text) => ({ type: 'image', caption: text || 'This one, please' }),
  },
  {
    value: 'document',
    label: 'Document',
    build: (text) => ({ type: 'document', filename: 'order-1042.pdf', ...(text ? { caption: text } : {}) }),
  },
  {
    value: 'location',
    label: 'Location',
    build: (text) => ({
      type: 'location',
      latitude: 59.3326,
      longitude: 18.0649,
      name: text || 'Drottninggatan 12',
      address: 'Stockholm',
    }),
  },
  {
    value: 'contacts',
    label: 'Contact card',
    build: (text) => ({ type: 'contacts', name: text || 'Lars Lindqvist', phone: '+46 70 123 45 67' }),
  },
  {
    value: 'interactive',
    label: 'Button reply',
    build: (text) => ({ type: 'interactive', id: 'size-m', title: (text || 'Size M').slice(0, 20) }),
  },
];

const ticks: Record<string, string> = { sent: '✓', delivered: '✓✓', read: '✓✓ read', failed: 'failed' };

/**
 * The sandbox customer's phone, beside the thread: write as the customer (every inbound type), react
 * to the business's messages, and watch their ticks move — and the customer's own messages turn read
 * when an agent opens the conversation. Shown only for sandbox channels.
 */
export function CustomerPanel({
  phoneNumberId,
  waId,
  name,
}: {
  phoneNumberId: string;
  waId: string | null;
  name: string | null;
}) {
  const channels = trpc.channel.list.useQuery();
  const channel = channels.data?.find(
    (c) => c.isSandbox && c.phoneNumbers.some((n) => n.phoneNumberId === phoneNumberId),
  );
  if (!channel || !waId) return null;
  return <Phone channelId={channel.id} waId={waId} name={name} />;
}

/**
 * On a phone the thread takes the whole screen, so the customer's side opens in a drawer from a
 * button under the thread (shown only for sandbox conversations).
 */
export function CustomerPanelDrawer(props: {
  phoneNumberId: string;
  waId: string | null;
  name: string | null;
}) {
  const channels = trpc.channel.list.useQuery();
  const [opened, setOpened] = useState(false);
  const sandbox = channels.data?.some(
    (c) => c.isSandbox && c.phoneNumbers.some((n) => n.phoneNumberId === props.phoneNumberId),
  );
  if (!sandbox || !props.waId) return null;
  return (
    <>
      <Button variant="light" color="grape" size="xs" onClick={() => setOpened(true)}>
        Write as the customer
      </Button>
      <Drawer opened={opened} onClose={() => setOpened(false)} position="bottom" size="85%" title="Sandbox">
        <CustomerPanel {...props} />
      </Drawer>
    </>
  );
}

function Phone({ channelId, waId, name }: { channelId: string; waId: string; name: string | null }) {
  const thread = trpc.channel.sandboxThread.useQuery({ channelId, waId }, { refetchInterval: 1000 });
  const utils = trpc.useUtils();
  const send = trpc.channel.sandboxCustomerSends.useMutation({
    onSuccess: () => {
      setText('');
      void utils.channel.sandboxThread.invalidate();
    },
  });
  const [kind, setKind] = useState('text');
  const [text, setText] = useState('');
  const customer = { waId, ...(name ? { name } : {}) };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const chosen = kinds.find((k) => k.value === kind) ?? kinds[0]!;
    send.mutate({ channelId, customer, message: chosen.build(text.trim()) });
  };
  const react = (messageWamid: string, emoji: string) =>
    send.mutate({ channelId, customer, message: { type: 'reaction', messageWamid, emoji } });
  const fromCustomer = thread.data?.fromCustomer.filter((m) => m.type !== 'reaction') ?? [];
  const unread = fromCustomer.filter((m) => !m.readAt).length;
  return (
    <Paper
      withBorder
      p="sm"
      bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-6))"
      data-testid="customer-panel"
      w={{ base: '100%', md: 300 }}
    >
      <Stack gap="xs">
        <Group justify="space-between" wrap="nowrap">
          <Title order={5}>Customer</Title>
          <Badge variant="light" color="grape">
            sandbox
          </Badge>
        </Group>
        <Text size="xs" c="dimmed">
          What {name ?? waId} sees on their phone. Write as them to try Parley.
        </Text>
        <ScrollArea.Autosize mah={240} type="auto">
          <Stack gap={6}>
            {thread.data?.fromBusiness.length === 0 && (
              <Text size="xs" c="dimmed">
                Replies from your team appear here.
              </Text>
            )}
            {thread.data?.fromBusiness.map((message) => (
              <Paper key={message.wamid} p={6} withBorder data-testid="customer-received">
                <Text size="sm">{message.preview}</Text>
                <Group justify="space-between" gap={4} wrap="nowrap">
                  <Group gap={2}>
                    {['👍', '❤️'].map((emoji) => (
                      <ActionIcon
                        key={emoji}
                        size="sm"
                        variant={message.reaction === emoji ? 'filled' : 'subtle'}
                        aria-label={`React ${emoji}`}
                        onClick={() => react(message.wamid, message.reaction === emoji ? '' : emoji)}
                      >
                        {emoji}
                      </ActionIcon>
                    ))}
                  </Group>
                  <Text
                    size="xs"
                    c={message.status === 'read' ? 'blue' : 'dimmed'}
                    data-testid="customer-ticks"
                  >
                    {message.status ? (ticks[message.status] ?? message.status) : 'sending'}
                  </Text>
                </Group>
              </Paper>
            ))}
          </Stack>
        </ScrollArea.Autosize>
        {fromCustomer.length > 0 && (
          <Text size="xs" c={unread ? 'dimmed' : 'blue'} data-testid="customer-read-receipt">
            {unread
              ? `${unread} of your messages not read yet`
              : 'Your messages were read by the business ✓✓'}
          </Text>
        )}
        {thread.data?.businessTypingSince && (
          <Text size="xs" c="teal" fs="italic" data-testid="customer-sees-typing">
            typing…
          </Text>
        )}
        <FormError error={send.error} />
        <form onSubmit={submit}>
          <Stack gap={6}>
            <Select
              aria-label="Message type"
              data={kinds.map(({ value, label }) => ({ value, label }))}
              value={kind}
              onChange={(value) => setKind(value ?? 'text')}
              allowDeselect={false}
              size="xs"
            />
            <TextInput
              aria-label="Customer message"
              placeholder={kind === 'text' ? 'Write as the customer…' : 'Optional text'}
              value={text}
              onChange={(e) => setText(e.currentTarget.value)}
              size="xs"
            />
            <Button type="submit" size="xs" loading={send.isPending}>
              Send as customer
            </Button>
          </Stack>
        </form>
      </Stack>
    </Paper>
  );
}
