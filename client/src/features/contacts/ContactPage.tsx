import {
  Alert,
  Anchor,
  Badge,
  Button,
  Center,
  Group,
  Loader,
  Modal,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  TagsInput,
  Text,
  Textarea,
  TextInput,
  Title,
} from '@mantine/core';
import { useForm } from '@mantine/form';
import { useDebouncedValue, useDisclosure } from '@mantine/hooks';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { optSchema, updateContactSchema } from '../../../../server/domains/contacts/schemas.ts';
import { fieldErrors, formError } from '../../components/errors.ts';
import { FormError } from '../../components/FormError.tsx';
import { PageHeader } from '../../components/PageHeader.tsx';
import { can } from '../../components/roles.ts';
import { zodResolver } from '../../components/zodResolver.ts';
import { trpc, type RouterInputs, type RouterOutputs } from '../../trpc.ts';
import { useRole } from '../session/session.ts';
import { AttributeInput, formatAttribute, type AttributeValue } from './AttributeInput.tsx';
import { consentBadge } from './ContactsPage.tsx';
import { countryName } from './countries.ts';
import { downloadJson } from './download.ts';

type Contact = RouterOutputs['contact']['byId'];
type Draft = RouterInputs['contact']['update'];

const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString() : '');

/** Name, email, tags, notes and custom attributes (agents and above). */
function EditContact({ contact, onDone }: { contact: Contact; onDone: () => void }) {
  const utils = trpc.useUtils();
  const definitions = trpc.contactAttribute.list.useQuery().data ?? [];
  const form = useForm<Draft>({
    initialValues: {
      id: contact.id,
      name: contact.agentName,
      email: contact.email,
      notes: contact.notes,
      tags: contact.tags,
      attributes: { ...contact.attributes },
    },
    validate: zodResolver(updateContactSchema),
    transformValues: (values) => ({
      ...values,
      name: values.name?.trim() ? values.name : null,
      email: values.email?.trim() ? values.email.trim() : null,
      notes: values.notes?.trim() ? values.notes : null,
    }),
  });
  const update = trpc.contact.update.useMutation({
    onSuccess: (saved) => {
      utils.contact.byId.setData({ id: saved.id }, saved);
      void utils.contact.list.invalidate();
      onDone();
    },
    onError: (error) => form.setErrors(fieldErrors(error)),
  });
  const attributes = form.values.attributes ?? {};
  return (
    <form noValidate onSubmit={form.onSubmit((values) => update.mutate(values))}>
      <Stack gap="sm">
        <SimpleGrid cols={{ base: 1, sm: 2 }}>
          <TextInput
            label="Name"
            description={
              contact.profileName ? `Empty: their WhatsApp name, ${contact.profileName}` : undefined
            }
            {...form.getInputProps('name')}
            value={form.values.name ?? ''}
            onChange={(e) => form.setFieldValue('name', e.currentTarget.value)}
          />
          <TextInput
            label="Email"
            type="email"
            {...form.getInputProps('email')}
            value={form.values.email ?? ''}
            onChange={(e) => form.setFieldValue('email', e.currentTarget.value)}
          />
        </SimpleGrid>
        <TagsInput label="Tags" {...form.getInputProps('tags')} />
        <Textarea
          label="Notes"
          autosize
          minRows={2}
          {...form.getInputProps('notes')}
          value={form.values.notes ?? ''}
          onChange={(e) => form.setFieldValue('notes', e.currentTarget.value)}
        />
        {definitions.length > 0 && (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {definitions.map((definition) => (
              <AttributeInput
                key={definition.key}
                definition={definition}
                value={attributes[definition.key]}
                onChange={(value: AttributeValue) =>
                  form.setFieldValue('attributes', { ...attributes, [definition.key]: value })
                }
              />
            ))}
          </SimpleGrid>
        )}
        <FormError error={update.error} shownFields={['name', 'email', 'tags', 'notes']} />
        <Group>
          <Button type="submit" loading={update.isPending}>
            Save
          </Button>
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** Opt in or out of campaigns, saying where the consent (or its withdrawal) came from. */
function Consent({ contact, mayEdit }: { contact: Contact; mayEdit: boolean }) {
  const utils = trpc.useUtils();
  const form = useForm({ initialValues: { id: contact.id, source: '' }, validate: zodResolver(optSchema) });
  const done = (saved: Contact) => {
    utils.contact.byId.setData({ id: saved.id }, saved);
    void utils.contact.list.invalidate();
    form.reset();
  };
  const optIn = trpc.contact.optIn.useMutation({ onSuccess: done });
  const optOut = trpc.contact.optOut.useMutation({ onSuccess: done });
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Group justify="space-between">
          <Title order={5}>Campaign consent</Title>
          {consentBadge(contact)}
        </Group>
        {contact.optedInAt && (
          <Text size="sm" data-testid="opted-in">
            Opted in {when(contact.optedInAt)} — {contact.optInSource}
          </Text>
        )}
        {contact.optedOutAt && (
          <Text size="sm" data-testid="opted-out">
            Opted out {when(contact.optedOutAt)} — {contact.optOutSource}
          </Text>
        )}
        {mayEdit && (
          <form noValidate onSubmit={(e) => e.preventDefault()}>
            <Group align="flex-end" wrap="wrap" gap="xs">
              <TextInput
                label="Source"
                placeholder="phone call, web form…"
                {...form.getInputProps('source')}
                w={{ base: '100%', sm: 220 }}
              />
              <Button
                variant="light"
                color="green"
                loading={optIn.isPending}
                onClick={() => form.onSubmit((values) => optIn.mutate(values))()}
              >
                Opt in
              </Button>
              <Button
                variant="light"
                color="red"
                loading={optOut.isPending}
                onClick={() => form.onSubmit((values) => optOut.mutate(values))()}
              >
                Opt out
              </Button>
            </Group>
            <FormError error={optIn.error ?? optOut.error} shownFields={['source']} mt="xs" />
          </form>
        )}
      </Stack>
    </Paper>
  );
}

/** Moves another contact (a second number, a BSUID of the same person) into this one. */
function Merge({ contact }: { contact: Contact }) {
  const utils = trpc.useUtils();
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 300);
  const [duplicate, setDuplicate] = useState<string | null>(null);
  const candidates = trpc.contact.list.useQuery(
    { filter: { search: debounced }, limit: 20 },
    { enabled: debounced.trim().length > 1 },
  );
  const merge = trpc.contact.merge.useMutation({
    onSuccess: (saved) => {
      utils.contact.byId.setData({ id: saved.id }, saved);
      void utils.contact.list.invalidate();
      setDuplicate(null);
      setSearch('');
    },
  });
  const options = (candidates.data?.items ?? [])
    .filter((c) => c.id !== contact.id)
    .map((c) => ({
      value: c.id,
      label: `${c.name ?? 'Unnamed'} ${c.waId ? `+${c.waId}` : (c.bsuid ?? '')}`,
    }));
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={5}>Merge a duplicate</Title>
        <Text size="sm" c="dimmed">
          The duplicate’s conversations, numbers, tags and attributes move here; the duplicate goes.
        </Text>
        <Group align="flex-end" wrap="wrap" gap="xs">
          <Select
            label="Duplicate"
            placeholder="Search by name or number"
            searchable
            searchValue={search}
            onSearchChange={setSearch}
            data={options}
            value={duplicate}
            onChange={setDuplicate}
            nothingFoundMessage={debounced.trim().length > 1 ? 'No other contact matches' : 'Type to search'}
            w={{ base: '100%', sm: 280 }}
          />
          <Button
            variant="light"
            disabled={!duplicate}
            loading={merge.isPending}
            onClick={() => {
              if (
                duplicate &&
                window.confirm('Merge the duplicate into this contact? This cannot be undone.')
              )
                merge.mutate({ survivorId: contact.id, duplicateId: duplicate });
            }}
          >
            Merge into this contact
          </Button>
        </Group>
        {merge.error && (
          <Text size="sm" c="red" role="alert">
            {formError(merge.error)}
          </Text>
        )}
      </Stack>
    </Paper>
  );
}

/** A data subject's requests: everything held about them as JSON, or erasure (logged). */
function Privacy({ contact }: { contact: Contact }) {
  const utils = trpc.useUtils();
  const navigate = useNavigate();
  const [confirming, confirm] = useDisclosure(false);
  const [exporting, setExporting] = useState(false);
  const [exportError, setExportError] = useState<string | null>(null);
  const erase = trpc.contact.erase.useMutation({
    onSuccess: () => {
      void utils.contact.list.invalidate();
      void utils.conversation.list.invalidate();
      void navigate('/contacts');
    },
  });
  const exportData = async () => {
    setExporting(true);
    setExportError(null);
    try {
      const document = await utils.contact.exportData.fetch({ id: contact.id });
      downloadJson(`contact-${contact.waId ?? contact.id}.json`, document);
    } catch (error) {
      setExportError(error instanceof Error ? error.message : 'The export failed.');
    } finally {
      setExporting(false);
    }
  };
  return (
    <Paper withBorder p="md">
      <Stack gap="xs">
        <Title order={5}>Privacy</Title>
        <Group gap="xs">
          <Button variant="default" loading={exporting} onClick={() => void exportData()}>
            Export data (JSON)
          </Button>
          <Button color="red" variant="light" onClick={confirm.open}>
            Erase contact
          </Button>
        </Group>
        {exportError && (
          <Text size="sm" c="red" role="alert">
            {exportError}
          </Text>
        )}
      </Stack>
      <Modal opened={confirming} onClose={confirm.close} title="Erase this contact?">
        <Stack>
          <Text size="sm">
            Erases {contact.name ?? 'this contact'}, their {contact.conversations.length} conversation(s) with
            every message and media file, and their attributes. This cannot be undone; the erasure is logged
            without the number.
          </Text>
          <FormError error={erase.error} />
          <Group justify="flex-end">
            <Button variant="default" onClick={confirm.close}>
              Keep
            </Button>
            <Button color="red" loading={erase.isPending} onClick={() => erase.mutate({ id: contact.id })}>
              Erase for good
            </Button>
          </Group>
        </Stack>
      </Modal>
    </Paper>
  );
}

/** /contacts/:contactId: who they are, what the team keeps about them, and their conversations. */
export function ContactPage() {
  const { contactId = '' } = useParams();
  const role = useRole();
  const mayEdit = can(role, 'agent');
  const isAdmin = can(role, 'admin');
  const contact = trpc.contact.byId.useQuery({ id: contactId }, { retry: false });
  const definitions = trpc.contactAttribute.list.useQuery().data ?? [];
  const [editing, setEditing] = useState(false);
  if (contact.isPending)
    return (
      <Center p="md">
        <Loader size="sm" aria-label="Loading" />
      </Center>
    );
  if (!contact.data)
    return (
      <Alert color="red" title="This contact could not be shown">
        {formError(contact.error) ?? 'No such contact.'}{' '}
        <Anchor component={Link} to="/contacts">
          All contacts
        </Anchor>
      </Alert>
    );
  const c = contact.data;
  return (
    <Stack>
      <Anchor component={Link} to="/contacts" size="sm">
        ← Contacts
      </Anchor>
      <PageHeader title={c.name ?? (c.waId ? `+${c.waId}` : 'Contact')}>
        {mayEdit && !editing && <Button onClick={() => setEditing(true)}>Edit</Button>}
      </PageHeader>
      <Paper withBorder p="md">
        {editing ? (
          <EditContact contact={c} onDone={() => setEditing(false)} />
        ) : (
          <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="xs" data-testid="contact-details">
            <Text size="sm">
              <b>Phone</b> {c.waId ? `+${c.waId}` : '—'}
            </Text>
            <Text size="sm">
              <b>Country</b> {c.country ? countryName(c.country) : '—'}
            </Text>
            <Text size="sm">
              <b>WhatsApp name</b> {c.profileName ?? '—'}
            </Text>
            <Text size="sm">
              <b>Email</b> {c.email ?? '—'}
            </Text>
            <Text size="sm">
              <b>First seen</b> {when(c.firstSeenAt)}
            </Text>
            {c.bsuid && (
              <Text size="sm">
                <b>BSUID</b> {c.bsuid}
              </Text>
            )}
            <Group gap={4}>
              <Text size="sm" fw={700}>
                Tags
              </Text>
              {c.tags.length ? (
                c.tags.map((t) => (
                  <Badge key={t} size="sm" variant="outline">
                    {t}
                  </Badge>
                ))
              ) : (
                <Text size="sm">—</Text>
              )}
            </Group>
            {definitions.map((d) => (
              <Text size="sm" key={d.key} data-testid={`attribute-value-${d.key}`}>
                <b>{d.label}</b> {formatAttribute(d, c.attributes[d.key] ?? null) || '—'}
              </Text>
            ))}
            {c.notes && (
              <Text size="sm" style={{ whiteSpace: 'pre-wrap', gridColumn: '1 / -1' }}>
                <b>Notes</b> {c.notes}
              </Text>
            )}
          </SimpleGrid>
        )}
      </Paper>
      <Consent contact={c} mayEdit={mayEdit} />
      <Paper withBorder p="md">
        <Title order={5} mb="xs">
          Conversations
        </Title>
        {c.conversations.length === 0 ? (
          <Text size="sm" c="dimmed">
            No conversations yet.
          </Text>
        ) : (
          <Stack gap={4}>
            {c.conversations.map((conversation) => (
              <Group key={conversation.id} gap="xs" wrap="nowrap">
                <Anchor component={Link} to={`/inbox/${conversation.id}`} size="sm">
                  With {conversation.businessNumber}
                </Anchor>
                <Badge size="xs" variant="light">
                  {conversation.status}
                </Badge>
                <Text size="sm" c="dimmed" truncate>
                  {conversation.lastMessagePreview}
                </Text>
              </Group>
            ))}
          </Stack>
        )}
      </Paper>
      {isAdmin && <Merge contact={c} />}
      {isAdmin && <Privacy contact={c} />}
    </Stack>
  );
}
