import {
  ActionIcon,
  Alert,
  Button,
  Group,
  NumberInput,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import type { z } from 'zod';
import {
  sendButtonsInput,
  sendContactsInput,
  sendCtaUrlInput,
  sendListInput,
  sendLocationInput,
} from '../../../../../server/domains/messages/schemas.ts';
import { formError } from '../../../components/errors.ts';
import { zodResolver } from '../../../components/zodResolver.ts';
import { trpc } from '../../../trpc.ts';

/** What every send form gets: where to send, what it quotes, and what to do once it is queued. */
export interface SendFormProps {
  conversationId: string;
  replyToId?: string | undefined;
  onSent: () => void;
}

/** The send types the "+" menu offers, in its order; each has a form below. */
export const sendKinds = {
  buttons: 'Reply buttons',
  list: 'List',
  ctaUrl: 'Link button',
  location: 'Location',
  contacts: 'Contact',
} as const;
export type SendKind = keyof typeof sendKinds;

/** The server's refusal of a send, when it is not about one field shown in the form. */
function Refusal({ error }: { error: Parameters<typeof formError>[0] }) {
  const message = formError(error, []);
  return message ? <Alert color="red">{message}</Alert> : null;
}

/** One send form: the same zod schema validates here and on the server. */
function useSendForm<S extends z.ZodType, V extends z.input<S> & Record<string, unknown>>(
  schema: S,
  initialValues: V,
) {
  return useForm<V>({ mode: 'controlled', initialValues, validate: zodResolver(schema) });
}

const base = (props: SendFormProps) => ({
  conversationId: props.conversationId,
  ...(props.replyToId ? { replyToId: props.replyToId } : {}),
});

export function ButtonsForm(props: SendFormProps) {
  const send = trpc.message.sendButtons.useMutation({ onSuccess: props.onSent });
  const form = useSendForm(sendButtonsInput, {
    ...base(props),
    body: '',
    header: '',
    footer: '',
    buttons: [{ title: '' }, { title: '' }],
  });
  const buttons = form.getValues().buttons;
  return (
    <form onSubmit={form.onSubmit((values) => send.mutate(values))}>
      <Stack gap="xs">
        <TextInput label="Header" placeholder="Optional" {...form.getInputProps('header')} />
        <Textarea label="Message" required autosize minRows={2} {...form.getInputProps('body')} />
        <TextInput label="Footer" placeholder="Optional" {...form.getInputProps('footer')} />
        <Text size="sm" fw={500}>
          Buttons (up to 3)
        </Text>
        {buttons.map((_, index) => (
          <Group key={index} gap="xs" wrap="nowrap">
            <TextInput
              flex={1}
              aria-label={`Button ${index + 1}`}
              placeholder={`Button ${index + 1}`}
              maxLength={20}
              {...form.getInputProps(`buttons.${index}.title`)}
            />
            {buttons.length > 1 && (
              <ActionIcon
                variant="subtle"
                color="gray"
                aria-label={`Remove button ${index + 1}`}
                onClick={() => form.removeListItem('buttons', index)}
              >
                ×
              </ActionIcon>
            )}
          </Group>
        ))}
        {form.errors.buttons && (
          <Text size="xs" c="red">
            {form.errors.buttons}
          </Text>
        )}
        {buttons.length < 3 && (
          <Button variant="subtle" size="xs" onClick={() => form.insertListItem('buttons', { title: '' })}>
            Add a button
          </Button>
        )}
        <Refusal error={send.error} />
        <Button type="submit" loading={send.isPending}>
          Send buttons
        </Button>
      </Stack>
    </form>
  );
}

export function ListForm(props: SendFormProps) {
  const send = trpc.message.sendList.useMutation({ onSuccess: props.onSent });
  const form = useSendForm(sendListInput, {
    ...base(props),
    body: '',
    button: 'Options',
    sections: [{ title: '', rows: [{ title: '', description: '' }] }],
  });
  const rows = form.getValues().sections[0]?.rows ?? [];
  return (
    <form onSubmit={form.onSubmit((values) => send.mutate(values))}>
      <Stack gap="xs">
        <Textarea label="Message" required autosize minRows={2} {...form.getInputProps('body')} />
        <TextInput label="Button label" required maxLength={20} {...form.getInputProps('button')} />
        <TextInput label="Section title" placeholder="Optional" {...form.getInputProps('sections.0.title')} />
        <Text size="sm" fw={500}>
          Rows (up to 10)
        </Text>
        {rows.map((_, index) => (
          <Group key={index} gap="xs" wrap="nowrap" align="flex-start">
            <TextInput
              flex={1}
              aria-label={`Row ${index + 1}`}
              placeholder={`Row ${index + 1}`}
              maxLength={24}
              {...form.getInputProps(`sections.0.rows.${index}.title`)}
            />
            <TextInput
              flex={1}
              aria-label={`Row ${index + 1} description`}
              placeholder="Description"
              maxLength={72}
              {...form.getInputProps(`sections.0.rows.${index}.description`)}
            />
          </Group>
        ))}
        {form.errors.sections && (
          <Text size="xs" c="red">
            {form.errors.sections}
          </Text>
        )}
        {rows.length < 10 && (
          <Button
            variant="subtle"
            size="xs"
            onClick={() => form.insertListItem('sections.0.rows', { title: '', description: '' })}
          >
            Add a row
          </Button>
        )}
        <Refusal error={send.error} />
        <Button type="submit" loading={send.isPending}>
          Send list
        </Button>
      </Stack>
    </form>
  );
}

export function CtaUrlForm(props: SendFormProps) {
  const send = trpc.message.sendCtaUrl.useMutation({ onSuccess: props.onSent });
  const form = useSendForm(sendCtaUrlInput, { ...base(props), body: '', displayText: '', url: 'https://' });
  return (
    <form onSubmit={form.onSubmit((values) => send.mutate(values))}>
      <Stack gap="xs">
        <Textarea label="Message" required autosize minRows={2} {...form.getInputProps('body')} />
        <TextInput label="Button label" required maxLength={20} {...form.getInputProps('displayText')} />
        <TextInput label="Web address" required type="url" {...form.getInputProps('url')} />
        <Refusal error={send.error} />
        <Button type="submit" loading={send.isPending}>
          Send link button
        </Button>
      </Stack>
    </form>
  );
}

export function LocationForm(props: SendFormProps) {
  const send = trpc.message.sendLocation.useMutation({ onSuccess: props.onSent });
  const form = useSendForm(sendLocationInput, {
    ...base(props),
    latitude: 0,
    longitude: 0,
    name: '',
    address: '',
  });
  return (
    <form onSubmit={form.onSubmit((values) => send.mutate(values))}>
      <Stack gap="xs">
        <TextInput label="Place name" {...form.getInputProps('name')} />
        <TextInput label="Address" {...form.getInputProps('address')} />
        <Group grow>
          <NumberInput label="Latitude" decimalScale={6} {...form.getInputProps('latitude')} />
          <NumberInput label="Longitude" decimalScale={6} {...form.getInputProps('longitude')} />
        </Group>
        <Refusal error={send.error} />
        <Button type="submit" loading={send.isPending}>
          Send location
        </Button>
      </Stack>
    </form>
  );
}

export function ContactsForm(props: SendFormProps) {
  const send = trpc.message.sendContacts.useMutation({ onSuccess: props.onSent });
  const form = useSendForm(sendContactsInput, {
    ...base(props),
    contacts: [{ name: '', phone: '', email: '', company: '' }],
  });
  return (
    <form onSubmit={form.onSubmit((values) => send.mutate(values))}>
      <Stack gap="xs">
        <TextInput label="Name" required {...form.getInputProps('contacts.0.name')} />
        <TextInput label="Phone" placeholder="+1 555 010 1234" {...form.getInputProps('contacts.0.phone')} />
        <TextInput label="Email" type="email" {...form.getInputProps('contacts.0.email')} />
        <TextInput label="Company" {...form.getInputProps('contacts.0.company')} />
        {form.errors.contacts && (
          <Text size="xs" c="red">
            {form.errors.contacts}
          </Text>
        )}
        <Refusal error={send.error} />
        <Button type="submit" loading={send.isPending}>
          Send contact
        </Button>
      </Stack>
    </form>
  );
}

export const sendForms: Record<SendKind, (props: SendFormProps) => React.JSX.Element> = {
  buttons: ButtonsForm,
  list: ListForm,
  ctaUrl: CtaUrlForm,
  location: LocationForm,
  contacts: ContactsForm,
};
