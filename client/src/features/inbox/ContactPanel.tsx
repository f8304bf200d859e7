import {
  ActionIcon,
  Alert,
  Badge,
  Box,
  Button,
  Divider,
  Drawer,
  Group,
  Loader,
  Paper,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { can } from '../../components/roles.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { useRole } from '../session/session.ts';
import { NoteText } from '../collaboration/NoteBubble.tsx';

type Contact = RouterOutputs['contact']['byId'];

/**
 * "+49 1511 2345678" from Meta's wa_id ("4915112345678") or a display number ("+1 555-502-4599");
 * the digits with a "+" when unparseable.
 */
export function formatPhone(number: string): string {
  const digits = number.replace(/\D/g, '');
  return parsePhoneNumberFromString(`+${digits}`)?.formatInternational() ?? `+${digits}`;
}

const formatDate = (iso: string) =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/**
 * Places other features fill in the contact panel (labels, notes, attributes): each is shown under
 * its heading when given, nothing otherwise. Pass them from the inbox page.
 */
export interface ContactPanelSlots {
  labels?: ReactNode;
  attributes?: ReactNode;
  notes?: ReactNode;
}

function Field({ label, children }: { label: string; children: ReactNode }) {
  return (
    <Stack gap={0}>
      <Text size="xs" c="dimmed">
        {label}
      </Text>
      <Box fz="sm" style={{ overflowWrap: 'anywhere' }}>
        {children}
      </Box>
    </Stack>
  );
}

/** The contact's name; agents rename them for the team (empty: back to their WhatsApp profile name). */
function ContactName({ contact }: { contact: Contact }) {
  const role = useRole();
  const utils = trpc.useUtils();
  const [editing, setEditing] = useState<string | null>(null);
  const rename = trpc.contact.rename.useMutation({
    onSuccess: (saved) => {
      utils.contact.byId.setData({ id: saved.id }, saved);
      void utils.conversation.list.invalidate();
      setEditing(null);
    },
  });
  const display = contact.name ?? (contact.waId ? formatPhone(contact.waId) : 'Unknown contact');
  if (editing !== null) {
    const save = () => rename.mutate({ id: contact.id, name: editing.trim() === '' ? null : editing });
    return (
      <Stack gap={4}>
        <TextInput
          label="Name"
          description={contact.profileName ? `Empty: "${contact.profileName}" from WhatsApp` : undefined}
          value={editing}
          onChange={(event) => setEditing(event.currentTarget.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') save();
            if (event.key === 'Escape') setEditing(null);
          }}
          error={rename.error?.message}
          maxLength={120}
          autoFocus
          data-autofocus
        />
        <Group gap="xs">
          <Button size="compact-sm" onClick={save} loading={rename.isPending}>
            Save
          </Button>
          <Button size="compact-sm" variant="default" onClick={() => setEditing(null)}>
            Cancel
          </Button>
        </Group>
      </Stack>
    );
  }
  return (
    <Stack gap={0}>
      <Group gap={4} wrap="nowrap">
        <Title order={4} style={{ overflowWrap: 'anywhere' }} data-testid="contact-name">
          {display}
        </Title>
        {can(role, 'agent') && (
          <ActionIcon
            variant="subtle"
            size="sm"
            aria-label="Rename contact"
            onClick={() => setEditing(contact.agentName ?? contact.profileName ?? '')}
          >
            ✎
          </ActionIcon>
        )}
      </Group>
      {contact.agentName && contact.profileName && contact.agentName !== contact.profileName && (
        <Text size="xs" c="dimmed">
          On WhatsApp: {contact.profileName}
        </Text>
      )}
    </Stack>
  );
}

const statusColor = { open: 'green', pending: 'yellow', resolved: 'gray', snoozed: 'grape' } as const;

/** Every conversation with the contact (one per business number): click to open it. */
function Conversations({ contact, current }: { contact: Contact; current: string }) {
  return (
    <Stack gap={4}>
      {contact.conversations.map((conversation) => (
        <UnstyledButton
          key={conversation.id}
          component={Link}
          to={`/inbox/${conversation.id}`}
          aria-current={conversation.id === current ? 'page' : undefined}
          data-testid="contact-conversation"
        >
          <Paper
            withBorder
            p={6}
            bg={conversation.id === current ? 'var(--mantine-color-default-hover)' : undefined}
          >
            <Group justify="space-between" gap={4} wrap="nowrap">
              <Text size="xs" fw={500} truncate>
                To {formatPhone(conversation.businessNumber)}
              </Text>
              <Badge size="xs" variant="light" color={statusColor[conversation.status]}>
                {conversation.status}
              </Badge>
            </Group>
            <Text size="xs" c="dimmed" truncate>
              {conversation.lastMessagePreview ?? 'No messages'}
            </Text>
            {conversation.lastMessageAt && (
              <Text size="xs" c="dimmed">
                {formatDate(conversation.lastMessageAt)}
              </Text>
            )}
          </Paper>
        </UnstyledButton>
      ))}
    </Stack>
  );
}

/** The labels on the contact's conversations (with how many carry each, when more than one). */
function ContactLabels({ labels }: { labels: RouterOutputs['label']['ofContact'] }) {
  return (
    <Group gap={4}>
      {labels.map((label) => (
        <Badge key={label.id} size="sm" variant="light" color={label.color} data-testid="contact-label">
          {label.name}
          {label.conversations > 1 ? ` ×${label.conversations}` : ''}
        </Badge>
      ))}
    </Group>
  );
}

/** The latest internal notes on the contact's conversations, each a link to its conversation. */
function ContactNotes({ notes }: { notes: RouterOutputs['note']['ofContact'] }) {
  return (
    <Stack gap={4}>
      {notes.map((note) => (
        <UnstyledButton
          key={note.id}
          component={Link}
          to={`/inbox/${note.conversationId}`}
          data-testid="contact-note"
        >
          <Paper p={6} bg="var(--mantine-color-yellow-light)">
            <Text size="xs" lineClamp={3} style={{ whiteSpace: 'pre-wrap' }}>
              <NoteText body={note.body} mentions={note.mentions} />
            </Text>
            <Text size="xs" c="dimmed">
              {note.author?.name ?? 'former member'} · {formatDate(note.createdAt)}
            </Text>
          </Paper>
        </UnstyledButton>
      ))}
    </Stack>
  );
}

/**
 * Who the customer is, beside the thread: name (agents rename), phone number, WhatsApp ids, when
 * first seen, every conversation with them, and the slots other features fill (labels, attributes,
 * notes). On a desktop it collapses (onCollapse); on a phone it is a screen of its own (onBack).
 */
export function ContactPanel({
  contactId,
  conversationId,
  onCollapse,
  onBack,
  slots = {},
}: {
  contactId: string;
  /** The conversation open beside it (marked among the contact's conversations). */
  conversationId: string;
  onCollapse?: (() => void) | undefined;
  onBack?: (() => void) | undefined;
  slots?: ContactPanelSlots;
}) {
  const contact = trpc.contact.byId.useQuery({ id: contactId });
  const role = useRole();
  // The labels and latest internal notes of all the contact's conversations, unless given by the page.
  const labels = trpc.label.ofContact.useQuery({ contactId });
  const notes = trpc.note.ofContact.useQuery({ contactId }, { enabled: can(role, 'agent') });
  slots = {
    ...slots,
    labels: slots.labels ?? (labels.data?.length ? <ContactLabels labels={labels.data} /> : undefined),
    notes: slots.notes ?? (notes.data?.length ? <ContactNotes notes={notes.data} /> : undefined),
  };
  return (
    <Stack gap="sm" h="100%" miw={0} data-testid="contact-panel" component="aside" aria-label="Contact">
      <Group gap="xs" wrap="nowrap" justify="space-between">
        <Group gap="xs" wrap="nowrap">
          {onBack && (
            <ActionIcon variant="subtle" size="lg" aria-label="Back to the conversation" onClick={onBack}>
              ←
            </ActionIcon>
          )}
          <Text fw={600} size="sm">
            Contact
          </Text>
        </Group>
        {onCollapse && (
          <ActionIcon variant="subtle" size="lg" aria-label="Hide contact details" onClick={onCollapse}>
            ⇥
          </ActionIcon>
        )}
      </Group>
      {contact.isPending && <Loader size="sm" />}
      {contact.error && <Alert color="red">{contact.error.message}</Alert>}
      {contact.data && (
        <ScrollArea flex={1} mih={0} type="auto">
          <Stack gap="sm" pr="xs">
            <ContactName contact={contact.data} />
            {contact.data.waId && (
              <Field label="Phone">
                <a href={`tel:+${contact.data.waId}`} data-testid="contact-phone">
                  {formatPhone(contact.data.waId)}
                </a>
              </Field>
            )}
            {contact.data.waId && <Field label="WhatsApp ID (wa_id)">{contact.data.waId}</Field>}
            {contact.data.bsuid && (
              <Field label="Business-scoped user ID (BSUID)">{contact.data.bsuid}</Field>
            )}
            {contact.data.username && <Field label="Username">@{contact.data.username}</Field>}
            <Field label="First seen">{formatDate(contact.data.firstSeenAt)}</Field>
            {slots.labels && (
              <Field label="Labels">
                <div data-slot="labels">{slots.labels}</div>
              </Field>
            )}
            {slots.attributes && (
              <Field label="Attributes">
                <div data-slot="attributes">{slots.attributes}</div>
              </Field>
            )}
            <Divider />
            <Text size="xs" c="dimmed">
              Conversations ({contact.data.conversations.length})
            </Text>
            <Conversations contact={contact.data} current={conversationId} />
            {slots.notes && (
              <>
                <Divider />
                <Field label="Notes">
                  <div data-slot="notes">{slots.notes}</div>
                </Field>
              </>
            )}
          </Stack>
        </ScrollArea>
      )}
    </Stack>
  );
}

/** Wide enough for list, thread and contact panel side by side without squeezing the thread. */
const wideQuery = '(min-width: 90em)';

/**
 * Desktop: on a wide screen, the panel beside the thread, or (collapsed) a button to bring it back;
 * open by default, and the member's own choice, once made, is remembered. Narrower (a 1280 px
 * laptop), a column would squeeze the thread and its composer to a sliver, so the panel opens over
 * the thread as a drawer from the same button, and closes again.
 */
export function ContactColumn(props: {
  contactId: string;
  conversationId: string;
  slots?: ContactPanelSlots;
}) {
  const wide = useMediaQuery(wideQuery, window.matchMedia(wideQuery).matches, {
    getInitialValueInEffect: false,
  });
  const [open, setOpen] = useState(() => {
    const chosen = localStorage.getItem('parley.contactPanel');
    return chosen ? chosen === 'shown' : true;
  });
  const [drawerOpen, setDrawerOpen] = useState(false);
  const toggle = (next: boolean) => {
    setOpen(next);
    localStorage.setItem('parley.contactPanel', next ? 'shown' : 'hidden');
  };
  const showButton = (onClick: () => void) => (
    <ActionIcon variant="subtle" size="lg" aria-label="Show contact details" onClick={onClick}>
      ⇤
    </ActionIcon>
  );
  if (!wide) {
    return (
      <>
        {showButton(() => setDrawerOpen(true))}
        <Drawer
          opened={drawerOpen}
          onClose={() => setDrawerOpen(false)}
          position="right"
          size={340}
          withCloseButton={false}
          padding="md"
          styles={{ body: { height: '100%' } }}
          aria-label="Contact details"
        >
          <ContactPanel {...props} onCollapse={() => setDrawerOpen(false)} />
        </Drawer>
      </>
    );
  }
  if (!open) return showButton(() => toggle(true));
  return (
    <Box w={280} miw={240} style={{ flex: 'none' }}>
      <ContactPanel {...props} onCollapse={() => toggle(false)} />
    </Box>
  );
}
