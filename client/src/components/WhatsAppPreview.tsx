import { Box, Divider, Group, Paper, Stack, Text } from '@mantine/core';
import { Fragment, type ReactNode } from 'react';
import type { TemplateView } from '../../../server/domains/templates/render.ts';

/**
 * WhatsApp's text formatting (*bold*, _italic_, ~strikethrough~, ```monospace```), as the customer's
 * phone draws it. Anything else stays plain text (never HTML).
 */
export function WhatsAppText({ text }: { text: string }) {
  const parts: ReactNode[] = [];
  const pattern = /(\*[^*\n]+\*|_[^_\n]+_|~[^~\n]+~|```[^`]+```)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const [token] = match;
    const index = match.index;
    if (index > last) parts.push(text.slice(last, index));
    const inner = token.startsWith('```') ? token.slice(3, -3) : token.slice(1, -1);
    const key = `${index}`;
    if (token.startsWith('*')) parts.push(<strong key={key}>{inner}</strong>);
    else if (token.startsWith('_')) parts.push(<em key={key}>{inner}</em>);
    else if (token.startsWith('~')) parts.push(<s key={key}>{inner}</s>);
    else parts.push(<code key={key}>{inner}</code>);
    last = index + token.length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return <Fragment>{parts}</Fragment>;
}

const buttonIcons: Record<string, string> = {
  URL: '↗',
  PHONE_NUMBER: '✆',
  COPY_CODE: '⧉',
  QUICK_REPLY: '↩',
  FLOW: '▤',
};

const mediaLabels: Record<string, string> = {
  IMAGE: '🖼 Image',
  VIDEO: '▶ Video',
  DOCUMENT: '📄 Document',
  LOCATION: '📍 Location',
};

/** A template message's content as WhatsApp lays it out: header, body, footer, then its buttons. */
export function TemplateContent({ view }: { view: TemplateView }) {
  return (
    <Stack gap={4} data-testid="template-content">
      {view.header?.format === 'TEXT' && view.header.text && (
        <Text fw={700} size="sm" style={{ overflowWrap: 'anywhere' }}>
          {view.header.text}
        </Text>
      )}
      {view.header && view.header.format !== 'TEXT' && (
        <Box
          bg="var(--mantine-color-gray-light)"
          p="md"
          style={{ borderRadius: 6, textAlign: 'center' }}
          data-testid="template-media-header"
        >
          <Text size="sm" c="dimmed">
            {mediaLabels[view.header.format] ?? view.header.format}
          </Text>
          {view.header.link && (
            <Text size="xs" c="dimmed" truncate>
              {view.header.link}
            </Text>
          )}
        </Box>
      )}
      <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
        <WhatsAppText text={view.body} />
      </Text>
      {view.footer && (
        <Text size="xs" c="dimmed">
          {view.footer}
        </Text>
      )}
      {view.buttons.length > 0 && (
        <Stack gap={0} mt={2}>
          {view.buttons.map((button, index) => (
            <Fragment key={index}>
              <Divider />
              <Group
                justify="center"
                gap={6}
                py={6}
                c="var(--mantine-color-blue-filled)"
                data-testid="template-button"
                title={button.url ?? button.phoneNumber ?? button.code}
              >
                <Text size="sm" span aria-hidden>
                  {buttonIcons[button.type] ?? '•'}
                </Text>
                <Text size="sm" span fw={500}>
                  {button.type === 'COPY_CODE' ? `Copy code ${button.code ?? ''}`.trim() : button.text}
                </Text>
              </Group>
            </Fragment>
          ))}
        </Stack>
      )}
    </Stack>
  );
}

/**
 * A live preview of a template as the customer's phone shows it: the chat background, the business's
 * bubble, the time. The builder and the composer's template picker share it.
 */
export function WhatsAppPreview({ view, title = 'Preview' }: { view: TemplateView; title?: string }) {
  return (
    <Stack gap={4} miw={0}>
      <Text size="xs" c="dimmed" fw={600} tt="uppercase">
        {title}
      </Text>
      <Box
        p="sm"
        style={{ borderRadius: 8, background: 'light-dark(#efe7de, #0b141a)' }}
        data-testid="whatsapp-preview"
      >
        <Paper
          p="xs"
          radius="md"
          maw={320}
          shadow="xs"
          style={{ background: 'light-dark(#ffffff, #202c33)' }}
        >
          <TemplateContent view={view} />
          <Text size="xs" c="dimmed" ta="right" mt={2}>
            {new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
          </Text>
        </Paper>
      </Box>
    </Stack>
  );
}
