// @vitest-environment jsdom
import { MantineProvider } from '@mantine/core';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MessageBubble } from './MessageBubble.tsx';
import type { Message } from './types.ts';

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
  media: null,
  ...overrides,
});

const show = (message: Message, onRetry?: () => void) =>
  render(
    <MantineProvider>
      <MessageBubble message={message} onRetry={onRetry} />
    </MantineProvider>,
  );

describe('a reply’s bubble tells the agent where it stands', () => {
  it('while queued: sending…', () => {
    show(reply({}));
    expect(screen.getByTestId('message-status').textContent).toBe('sending…');
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
      /^failed: Not sent: .* \(Meta answered: Service temporarily unavailable\)$/,
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
    expect(screen.getByTestId('message-status').textContent).toBe('read');
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
    hasThumbnail: true,
    ...overrides,
  });
  const inbound = (overrides: Partial<Message>) =>
    reply({ direction: 'inbound', status: 'received', body: null, ...overrides });

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
