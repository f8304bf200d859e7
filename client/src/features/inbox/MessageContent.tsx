import { Anchor, Badge, Box, Divider, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { templateViewSchema } from '../../../../server/domains/templates/render.ts';
import { TemplateContent, WhatsAppText } from '../../components/WhatsAppPreview.tsx';
import { MediaContent } from './media/MediaContent.tsx';
import type { Message } from './types.ts';

/**
 * What a stored message says, drawn by type: Meta's message object for inbound messages, Parley's
 * Graph payload for outbound ones (and what the customer saw, for templates). Types without a branch
 * show their stored text or their type, never nothing.
 */

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const str = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

const Body = ({ children }: { children: ReactNode }) => (
  <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
    {children}
  </Text>
);

/** Media messages (image, video, audio, document, sticker): the file (media/MediaContent.tsx, issue 19) and its caption. */
function MediaMessage({ message }: { message: Message }) {
  // An inbound message's body is its inbox preview: "[image]", "[voice message]" or a document's
  // name, which the file itself already shows; only a real caption is drawn under it.
  const caption =
    message.body !== null && !/^\[[a-z ]+\]$/.test(message.body) && message.body !== message.media?.filename
      ? message.body
      : null;
  return (
    <Stack gap={4} data-testid="media-message">
      <MediaContent message={message} />
      {(caption !== null || !message.media) && <Body>{caption ?? `[${message.type}]`}</Body>}
    </Stack>
  );
}

function TemplateMessage({ message }: { message: Message }) {
  const view = templateViewSchema.safeParse(message.rendered);
  if (view.success) return <TemplateContent view={view.data} />;
  const template = obj(obj(message.content).template);
  return <Body>{message.body ?? `Template ${str(template.name) ?? ''}`.trim()}</Body>;
}

/** An interactive message the business sent (reply buttons, list, call-to-action link). */
function OutboundInteractive({ interactive }: { interactive: Json }) {
  const header = obj(interactive.header);
  const action = obj(interactive.action);
  const buttons =
    str(interactive.type) === 'button'
      ? list(action.buttons).map((b) => str(obj(obj(b).reply).title) ?? '')
      : str(interactive.type) === 'list'
        ? [`☰ ${str(action.button) ?? 'Options'}`]
        : str(interactive.type) === 'cta_url'
          ? [`↗ ${str(obj(action.parameters).display_text) ?? 'Open'}`]
          : [];
  return (
    <Stack gap={4} data-testid="interactive-content">
      {str(header.text) && (
        <Text fw={700} size="sm">
          {str(header.text)}
        </Text>
      )}
      <Body>
        <WhatsAppText text={str(obj(interactive.body).text) ?? ''} />
      </Body>
      {str(obj(interactive.footer).text) && (
        <Text size="xs" c="dimmed">
          {str(obj(interactive.footer).text)}
        </Text>
      )}
      {buttons.map((title, index) => (
        <Box key={index}>
          <Divider />
          <Text size="sm" ta="center" py={4} c="var(--mantine-color-blue-filled)">
            {title}
          </Text>
        </Box>
      ))}
    </Stack>
  );
}

/** The customer's answer to buttons or a list (button_reply, list_reply), a template's quick reply, or a flow. */
function InboundReply({ content }: { content: Json }) {
  const interactive = obj(content.interactive);
  const reply = obj(interactive.button_reply ?? interactive.list_reply);
  const title = str(reply.title) ?? str(obj(content.button).text);
  if (title) {
    return (
      <Stack gap={0} data-testid="interactive-reply">
        <Text size="xs" c="dimmed">
          {interactive.list_reply ? 'Chose from the list' : 'Tapped a button'}
        </Text>
        <Body>↩ {title}</Body>
        {str(reply.description) && (
          <Text size="xs" c="dimmed">
            {str(reply.description)}
          </Text>
        )}
      </Stack>
    );
  }
  const flow = obj(interactive.nfm_reply);
  return (
    <Stack gap={0} data-testid="interactive-reply">
      <Text size="xs" c="dimmed">
        Answered a form
      </Text>
      <Body>{str(flow.body) ?? str(flow.name) ?? 'Form reply'}</Body>
    </Stack>
  );
}

function LocationContent({ location }: { location: Json }) {
  const latitude = Number(location.latitude);
  const longitude = Number(location.longitude);
  const map = `https://www.openstreetmap.org/?mlat=${latitude}&mlon=${longitude}#map=16/${latitude}/${longitude}`;
  return (
    <Stack gap={2} data-testid="location-content">
      <Text size="sm" fw={500}>
        📍 {str(location.name) ?? 'Location'}
      </Text>
      {str(location.address) && (
        <Text size="xs" c="dimmed">
          {str(location.address)}
        </Text>
      )}
      <Anchor href={map} target="_blank" rel="noreferrer" size="sm">
        Open map ({latitude.toFixed(5)}, {longitude.toFixed(5)})
      </Anchor>
    </Stack>
  );
}

function ContactsContent({ contacts }: { contacts: unknown[] }) {
  return (
    <Stack gap="xs" data-testid="contacts-content">
      {contacts.map((entry, index) => {
        const contact = obj(entry);
        const name = obj(contact.name);
        return (
          <Box
            key={index}
            p={6}
            style={{ border: '1px solid var(--mantine-color-default-border)', borderRadius: 6 }}
          >
            <Text size="sm" fw={600}>
              👤 {str(name.formatted_name) ?? str(name.first_name) ?? 'Contact'}
            </Text>
            {str(obj(contact.org).company) && (
              <Text size="xs" c="dimmed">
                {str(obj(contact.org).company)}
              </Text>
            )}
            {list(contact.phones).map((phone, i) => (
              <Text key={i} size="xs">
                {str(obj(phone).phone) ?? str(obj(phone).wa_id)}
                {str(obj(phone).type) ? ` (${str(obj(phone).type)?.toLowerCase()})` : ''}
              </Text>
            ))}
            {list(contact.emails).map((email, i) => (
              <Text key={`e${i}`} size="xs">
                {str(obj(email).email)}
              </Text>
            ))}
          </Box>
        );
      })}
    </Stack>
  );
}

/** Meta's system notices and unsupported messages: a centred notice, not a bubble. */
export function isNotice(message: Message): boolean {
  return message.type === 'system' || message.type === 'unsupported';
}

export function NoticeContent({ message }: { message: Message }) {
  const content = obj(message.content);
  if (message.type === 'system') {
    return <Text size="xs">{str(obj(content.system).body) ?? message.body ?? 'WhatsApp system notice'}</Text>;
  }
  const error = obj(list(content.errors)[0]);
  const details = str(obj(error.error_data).details) ?? str(error.title);
  if (error.code === 131052) {
    // Meta's "Media download error": the customer's file never reached Meta's servers whole.
    const kind = str(obj(content.unsupported).type) ?? 'file';
    return (
      <Text size="xs" data-testid="media-download-error">
        WhatsApp could not download the {kind} the customer sent{details ? ` (${details})` : ''}. Ask them to
        send it again.
      </Text>
    );
  }
  return (
    <Text size="xs">
      The customer sent a message WhatsApp does not deliver to the Cloud API{details ? ` (${details})` : ''}.
      Ask them to send it another way.
    </Text>
  );
}

const mediaTypes = new Set(['image', 'video', 'audio', 'document', 'sticker']);

export function MessageContent({ message }: { message: Message }) {
  const content = obj(message.content);
  if (mediaTypes.has(message.type)) return <MediaMessage message={message} />;
  switch (message.type) {
    case 'template':
      return <TemplateMessage message={message} />;
    case 'interactive':
      return message.direction === 'outbound' ? (
        <OutboundInteractive interactive={obj(content.interactive)} />
      ) : (
        <InboundReply content={content} />
      );
    case 'button':
      return <InboundReply content={content} />;
    case 'location':
      return <LocationContent location={obj(content.location)} />;
    case 'contacts':
      return <ContactsContent contacts={list(content.contacts)} />;
    case 'reaction': {
      const emoji = str(obj(content.reaction).emoji);
      return <Body>{emoji ? `Reacted ${emoji}` : 'Removed a reaction'}</Body>;
    }
    case 'text':
      return (
        <Body>
          <WhatsAppText text={message.body ?? str(obj(content.text).body) ?? ''} />
        </Body>
      );
    default:
      return (
        <Group gap={6}>
          <Body>{message.body ?? ''}</Body>
          {!message.body && (
            <Badge variant="light" color="gray" tt="none">
              {message.type} message
            </Badge>
          )}
        </Group>
      );
  }
}
