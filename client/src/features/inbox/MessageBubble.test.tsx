// @vitest-environment jsdom
import { MantineProvider } from '@mantine/core';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MessageBubble } from './MessageBubble.tsx';
import type { Message } from './types.ts';
import type { WebhookBody } from '../../../../server/test/whatsapp.ts';

// Meta's webhook fixtures (the repository's copy), bundled: jsdom has no file URLs to read them by.
const fixtures = import.meta.glob<WebhookBody>('../../../../server/test/fixtures/whatsapp/webhooks/*.json', {
  eager: true,
  import: 'default',
});
const fixture = (name: string): WebhookBody => {
  const found = Object.entries(fixtures).find(([file]) => file.endsWith(`/${name}`));
  if (!found) throw new Error(`no fixture ${name}`);
  return found[1];
};

beforeAll(() => {
  // jsdom has no matchMedia; Mantine asks it for the colour scheme.
  window.matchMedia = (query: string) =>
    ({
      matches: false,
      media: query,
      onchange: null,
      addListener: () => undefined,
      removeListener: () => undefined,
      addEventListener: () => undefined,
      removeEventListener: () => undefined,
      dispatchEvent: () => false,
    }) as MediaQueryList;
});
afterEach(cleanup);

const reply = (overrides: Partial<Message>): Message => ({
  id: '01900000-0000-7000-8000-000000000001',
  wamid: null,
  direction: 'outbound',
  type: 'text',
  body: 'Yes, in 2 days.',
  content: {},
  status: 'pending',
  error: null,
  quotedWamid: null,
  occurredAt: '2026-12-01T10:00:00.000Z',
  reactions: [],
  ownReaction: null,
  media: null,
  pricingCategory: null,
  rendered: null,
  ...overrides,
});

const show = (message: Message, onRetry?: () => void) =>
  render(
    <MantineProvider>
      <MessageBubble message={message} onRetry={onRetry} />
    </MantineProvider>,
  );

describe('a reply’s bubble tells the agent where it stands', () => {
  it('while queued: a clock', () => {
    show(reply({}));
    expect(screen.getByTestId('message-status').getAttribute('aria-label')).toBe('queued');
    expect(screen.getByTestId('message-status').textContent).toBe('🕓');
  });

  it("sent, delivered, read: WhatsApp's ticks, blue once read", () => {
    for (const [status, glyph] of [
      ['sent', '✓'],
      ['delivered', '✓✓'],
      ['read', '✓✓'],
    ] as const) {
      show(reply({ status, wamid: 'wamid.1' }));
      const tick = screen.getByTestId('message-status');
      expect([tick.getAttribute('aria-label'), tick.textContent]).toEqual([status, glyph]);
      cleanup();
    }
  });

  it("failed by a status webhook: Meta's title, code and details, also on hover", () => {
    show(
      reply({
        status: 'failed',
        wamid: 'wamid.1',
        error: [
          {
            code: 131047,
            title: 'Re-engagement message',
            error_data: { details: 'More than 24 hours have passed since the customer last replied.' },
          },
        ],
      }),
    );
    const status = screen.getByTestId('message-status');
    expect(status.getAttribute('title')).toBe(
      'failed: Re-engagement message (131047) (More than 24 hours have passed since the customer last replied.)',
    );
  });

  it("shows Meta's pricing category once a status carried it", () => {
    show(reply({ status: 'delivered', wamid: 'wamid.1', pricingCategory: 'utility' }));
    expect(screen.getByTestId('pricing-category').textContent).toBe('utility');
  });

  it('while Meta or the network fails: retrying, with the reason', () => {
    show(
      reply({
        error: {
          retrying: true,
          kind: 'transient',
          message: 'Meta answered: Service temporarily unavailable',
        },
      }),
    );
    expect(screen.getByTestId('message-status').textContent).toBe(
      'retrying… Meta answered: Service temporarily unavailable',
    );
    expect(screen.queryByRole('button', { name: 'Send again' })).toBeNull();
  });

  it('once it failed: Meta’s error, and a way to send it again', () => {
    const onRetry = vi.fn();
    show(
      reply({
        status: 'failed',
        error: {
          kind: 'transient',
          message: 'Not sent: Meta or the network kept failing after repeated attempts. Send it again.',
          detail: 'Meta answered: Service temporarily unavailable',
        },
      }),
      onRetry,
    );
    expect(screen.getByTestId('message-status').textContent).toMatch(
      /^⚠ failed: Not sent: .* \(Meta answered: Service temporarily unavailable\)$/,
    );
    fireEvent.click(screen.getByRole('button', { name: 'Send again' }));
    expect(onRetry).toHaveBeenCalledOnce();
  });

  it('shows the customer’s reactions under the message, one chip per emoji', () => {
    show(
      reply({
        status: 'read',
        wamid: 'wamid.1',
        reactions: [
          { emoji: '👍', contactId: 'a', reactedAt: '2026-12-01T10:01:00Z' },
          { emoji: '🙏', contactId: 'b', reactedAt: '2026-12-01T10:02:00Z' },
          { emoji: '👍', contactId: 'c', reactedAt: '2026-12-01T10:03:00Z' },
        ],
      }),
    );
    const chips = screen.getByTestId('reactions');
    expect([...chips.children].map((chip) => chip.textContent)).toEqual(['👍 2', '🙏']);
    expect(screen.getByTestId('message-status').getAttribute('aria-label')).toBe('read');
  });

  it('shows the agent’s own reaction on the message it reacts to, and nothing once removed', () => {
    const customerMessage = (ownReaction: Message['ownReaction']) =>
      reply({ direction: 'inbound', status: 'received', wamid: 'wamid.in', body: 'Thanks!', ownReaction });
    show(customerMessage({ messageId: 'r1', emoji: '❤️', status: 'pending', error: null }));
    expect(screen.getByTestId('own-reaction').getAttribute('aria-label')).toBe('Your reaction ❤️, sending…');
    cleanup();
    show(customerMessage({ messageId: 'r1', emoji: '❤️', status: 'delivered', error: null }));
    expect(screen.getByTestId('own-reaction').textContent).toBe('❤️');
    expect(screen.getByTestId('own-reaction').getAttribute('aria-label')).toBe('Your reaction ❤️');
    cleanup();
    // Removed (the latest reaction is an empty emoji): no chip at all.
    show(customerMessage({ messageId: 'r2', emoji: null, status: 'delivered', error: null }));
    expect(screen.queryByTestId('own-reaction')).toBeNull();
    expect(screen.queryByTestId('reactions')).toBeNull();
    cleanup();
    // A failed one says so, with Meta's reason.
    show(
      customerMessage({
        messageId: 'r3',
        emoji: '👍',
        status: 'failed',
        error: { message: 'Message failed to send because more than 24 hours have passed' },
      }),
    );
    expect(screen.getByTestId('own-reaction').getAttribute('aria-label')).toBe(
      'Your reaction failed: Message failed to send because more than 24 hours have passed',
    );
  });
});

/** The message object of a webhook fixture, stored as Parley stores inbound messages. */
const inbound = (name: string, overrides: Partial<Message> = {}): Message => {
  const content = fixture(name).entry[0]!.changes[0]!.value.messages![0] as {
    type: string;
    id: string;
  };
  return reply({
    direction: 'inbound',
    status: 'received',
    type: String(content.type),
    body: null,
    content,
    wamid: String(content.id),
    ...overrides,
  });
};

describe('the thread draws every stored message type', () => {
  it('a template as the customer saw it: header, body, footer and buttons', () => {
    show(
      reply({
        type: 'template',
        status: 'delivered',
        body: 'Hi Maya, your order is on its way.',
        rendered: {
          header: { format: 'TEXT', text: 'Order A-1001' },
          body: 'Hi Maya, your order is *on its way*.',
          footer: 'Parley Demo Store',
          buttons: [
            { type: 'URL', text: 'Track it', url: 'https://shop.example/track/A-1001' },
            { type: 'COPY_CODE', text: 'Copy code', code: 'MAYA10' },
            { type: 'QUICK_REPLY', text: 'Stop' },
          ],
        },
      }),
    );
    const template = screen.getByTestId('template-content');
    expect(template.textContent).toContain('Order A-1001');
    expect(template.querySelector('strong')?.textContent).toBe('on its way');
    expect(template.textContent).toContain('Parley Demo Store');
    expect(screen.getAllByTestId('template-button').map((b) => b.textContent)).toEqual([
      '↗Track it',
      '⧉Copy code MAYA10',
      '↩Stop',
    ]);
    expect(screen.getAllByTestId('template-button')[0]?.getAttribute('title')).toBe(
      'https://shop.example/track/A-1001',
    );
  });

  it('button and list replies say what the customer tapped, quoting the message they answer', () => {
    const question = reply({ wamid: 'wamid.q', status: 'read', body: 'Confirm your order?' });
    const answer = inbound('interactive-button-reply.json', { quotedWamid: 'wamid.q' });
    render(
      <MantineProvider>
        <MessageBubble message={answer} quoted={question} />
      </MantineProvider>,
    );
    expect(screen.getByTestId('interactive-reply').textContent).toBe('Tapped a button↩ Confirm');
    expect(screen.getByTestId('quoted-message').textContent).toBe('YouConfirm your order?');
    cleanup();
    show(inbound('interactive-list-reply.json'));
    expect(screen.getByTestId('interactive-reply').textContent).toBe(
      'Chose from the list↩ Tue 10:00Berlin store',
    );
    cleanup();
    show(inbound('button-template-quick-reply.json'));
    expect(screen.getByTestId('interactive-reply').textContent).toContain('Stop promotions');
  });

  it('a quoted message that is not loaded still shows that it is a reply', () => {
    show(inbound('text-reply-context.json', { quotedWamid: 'wamid.elsewhere', body: 'Yes, that one' }));
    expect(screen.getByTestId('quoted-message').textContent).toBe('Reply toan earlier message');
  });

  it('a location with its name, address and a map link', () => {
    show(inbound('location.json'));
    const location = screen.getByTestId('location-content');
    expect(location.textContent).toContain('Flagship store');
    expect(location.textContent).toContain('Alexanderplatz 1, 10178 Berlin');
    expect(screen.getByRole('link', { name: /Open map/ }).getAttribute('href')).toBe(
      'https://www.openstreetmap.org/?mlat=52.520008&mlon=13.404954#map=16/52.520008/13.404954',
    );
  });

  it('a contact card with name, company, phones and emails', () => {
    show(inbound('contacts.json'));
    const card = screen.getByTestId('contacts-content');
    expect(card.textContent).toContain('Jonas Weber');
    expect(card.textContent).toContain('+49 30 1234567 (work)');
    expect(card.textContent).toContain('jonas@example.invalid');
  });

  it('system and unsupported messages as notices, not bubbles', () => {
    show(inbound('system-customer-changed-number.json'));
    expect(screen.getByTestId('notice').textContent).toBe(
      'Maya changed their phone number to a new number +1 555-012-9999',
    );
    cleanup();
    show(inbound('unsupported.json'));
    expect(screen.getByTestId('notice').textContent).toContain('Message type is currently not supported.');
  });

  it('a customer file Meta could not download (131052): says which kind and why', () => {
    show(
      reply({
        direction: 'inbound',
        status: 'received',
        type: 'unsupported',
        body: '[unsupported message]',
        content: {
          type: 'unsupported',
          unsupported: { type: 'video' },
          errors: [
            {
              code: 131052,
              title: 'Media download error',
              error_data: { details: 'The file is larger than 100 MB.' },
            },
          ],
        },
      }),
    );
    expect(screen.getByTestId('media-download-error').textContent).toBe(
      'WhatsApp could not download the video the customer sent (The file is larger than 100 MB.). Ask them to send it again.',
    );
  });

  it('interactive messages the business sent, with their buttons', () => {
    show(
      reply({
        type: 'interactive',
        status: 'sent',
        body: 'Confirm your order?',
        content: {
          type: 'interactive',
          interactive: {
            type: 'button',
            body: { text: 'Confirm your order?' },
            action: {
              buttons: [
                { type: 'reply', reply: { id: 'yes', title: 'Confirm' } },
                { type: 'reply', reply: { id: 'no', title: 'Cancel' } },
              ],
            },
          },
        },
      }),
    );
    expect(screen.getByTestId('interactive-content').textContent).toBe('Confirm your order?ConfirmCancel');
  });

  it('media messages get their own content (issue 19)', () => {
    show(inbound('image.json'));
    expect(screen.getByTestId('media-message')).toBeTruthy();
  });
});

describe('a media message shows its file', () => {
  const media = (overrides: Partial<NonNullable<Message['media']>>): NonNullable<Message['media']> => ({
    id: '01900000-0000-7000-8000-0000000000aa',
    kind: 'image',
    status: 'stored',
    unavailableReason: null,
    mimeType: 'image/jpeg',
    filename: null,
    byteSize: 2048,
    voice: false,
    durationMs: null,
    hasThumbnail: true,
    ...overrides,
  });
  const inbound = (overrides: Partial<Message>) =>
    reply({ direction: 'inbound', status: 'received', body: null, ...overrides });

  it('a voice note: says so and how long it plays, from the stored file', () => {
    show(
      inbound({
        type: 'audio',
        media: media({ kind: 'audio', mimeType: 'audio/ogg; codecs=opus', voice: true, durationMs: 7400 }),
      }),
    );
    expect(screen.getByTestId('media-audio-label').textContent).toBe('Voice message · 0:07');
    expect(screen.getByTestId('media-audio').getAttribute('src')).toBe(
      '/media/01900000-0000-7000-8000-0000000000aa',
    );
  });

  it('while it downloads: a placeholder naming its type, never the raw type tag', () => {
    show(inbound({ type: 'video', media: media({ kind: 'video', status: 'pending' }) }));
    expect(screen.getByTestId('media-pending').textContent).toBe('Video downloading…');
    expect(screen.queryByText('[video]')).toBeNull();
  });

  it('when it could not be kept: a notice with the reason', () => {
    show(
      inbound({
        type: 'image',
        media: media({ status: 'unavailable', unavailableReason: 'Meta no longer has this media' }),
      }),
    );
    expect(screen.getByTestId('media-unavailable').textContent).toBe(
      'Image unavailable' + 'Meta no longer has this media',
    );
  });

  it('an image as its thumbnail with the caption; a document with name, size and a download link', () => {
    show(inbound({ type: 'image', body: 'This one?', media: media({}) }));
    expect(screen.getByTestId('media-image').getAttribute('src')).toBe(
      '/media/01900000-0000-7000-8000-0000000000aa/thumbnail',
    );
    expect(screen.getByText('This one?')).toBeTruthy();
    cleanup();
    show(
      inbound({
        type: 'document',
        media: media({
          kind: 'document',
          mimeType: 'application/pdf',
          filename: 'Invoice 7.pdf',
          byteSize: 3_300_000,
        }),
      }),
    );
    const document = screen.getByTestId('media-document');
    expect(document.textContent).toContain('Invoice 7.pdf');
    expect(document.textContent).toContain('3.1 MB');
    const link = screen.getByRole('link', { name: 'Download' });
    expect(link.getAttribute('href')).toBe('/media/01900000-0000-7000-8000-0000000000aa');
    expect(link.getAttribute('download')).toBe('Invoice 7.pdf');
  });
});
