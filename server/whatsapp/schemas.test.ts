import { describe, expect, it } from 'vitest';
import {
  mediaUploadResponseSchema,
  mediaUrlResponseSchema,
  phoneNumbersPageSchema,
  sendMessageResponseSchema,
  templatesPageSchema,
} from './graph-schemas.ts';
import { checkMediaUpload } from './media-limits.ts';
import { outboundMessageSchema, type OutboundMessage } from './message-payloads.ts';
import { fixture, fixtureNames } from '../test/whatsapp.ts';

describe('Graph response schemas accept every fixture in graph/', () => {
  const schemas = {
    'media-upload.json': mediaUploadResponseSchema,
    'media-url.json': mediaUrlResponseSchema,
    'phone-numbers.json': phoneNumbersPageSchema,
    'send-message-success.json': sendMessageResponseSchema,
    'templates-page-1.json': templatesPageSchema,
    'templates-page-2.json': templatesPageSchema,
  };

  it('has a schema for every response fixture', () => {
    expect(fixtureNames('graph')).toEqual(Object.keys(schemas).sort());
  });

  it.each(Object.entries(schemas))('%s', (file, schema) => {
    const result = schema.safeParse(fixture(`graph/${file}`));
    expect(result.error).toBeUndefined();
  });

  it('keeps the paging cursor and the wamid', () => {
    const page = templatesPageSchema.parse(fixture('graph/templates-page-1.json'));
    expect(page.paging?.cursors?.after).toBe('QVFIUmFm');
    expect(page.data.map((t) => t.name)).toEqual(['template_1', 'template_2', 'template_3']);
    const last = templatesPageSchema.parse(fixture('graph/templates-page-2.json'));
    expect(last.paging?.next).toBeUndefined();
    const sent = sendMessageResponseSchema.parse(fixture('graph/send-message-success.json'));
    expect(sent.messages[0]?.id).toMatch(/^wamid\./);
  });

  it('rejects a send response without a wamid', () => {
    expect(sendMessageResponseSchema.safeParse({ messaging_product: 'whatsapp', messages: [] }).success).toBe(
      false,
    );
  });
});

describe('outbound message payloads', () => {
  const valid: OutboundMessage[] = [
    { to: '15550123456', type: 'text', text: { body: 'Hi', preview_url: false } },
    { to: '15550123456', type: 'image', image: { id: '1200000000000001', caption: 'Blue, size M' } },
    { to: '15550123456', type: 'image', image: { link: 'https://example.com/a.jpg' } },
    { to: '15550123456', type: 'audio', audio: { id: '1' } },
    { to: '15550123456', type: 'video', video: { link: 'https://example.com/a.mp4', caption: 'x' } },
    { to: '15550123456', type: 'document', document: { id: '1', filename: 'Factura.pdf' } },
    { to: '15550123456', type: 'sticker', sticker: { id: '1' } },
    { to: '15550123456', type: 'location', location: { latitude: 52.52, longitude: 13.4, name: 'Store' } },
    {
      to: '15550123456',
      type: 'contacts',
      contacts: [{ name: { formatted_name: 'Jonas Weber' }, phones: [{ phone: '+49 30 1234567' }] }],
    },
    {
      to: '15550123456',
      type: 'interactive',
      interactive: {
        type: 'button',
        body: { text: 'Confirm your order?' },
        action: { buttons: [{ type: 'reply', reply: { id: 'yes', title: 'Yes' } }] },
      },
    },
    {
      to: '15550123456',
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a slot' },
        action: { button: 'Slots', sections: [{ title: 'Tue', rows: [{ id: 's1', title: '10:00' }] }] },
      },
    },
    { to: '15550123456', type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '' } },
    {
      to: '15550123456',
      type: 'template',
      template: {
        name: 'order_shipped',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'image', image: { link: 'https://example.com/h.png' } }] },
          { type: 'body', parameters: [{ type: 'text', text: 'Maya' }] },
          {
            type: 'button',
            sub_type: 'quick_reply',
            index: 0,
            parameters: [{ type: 'payload', payload: 'STOP' }],
          },
        ],
      },
    },
    { to: '15550123456', type: 'text', text: { body: 'quoting' }, context: { message_id: 'wamid.y' } },
  ];

  it.each(valid.map((payload) => [payload.type, payload] as const))('accepts %s', (_type, payload) => {
    const parsed = outboundMessageSchema.parse(payload);
    expect(parsed.messaging_product).toBe('whatsapp');
  });

  const invalid: [string, unknown][] = [
    ['text over 4096 characters', { to: '1555', type: 'text', text: { body: 'x'.repeat(4097) } }],
    ['media with both id and link', { to: '1', type: 'image', image: { id: '1', link: 'https://e.com/a' } }],
    ['media with neither id nor link', { to: '1', type: 'audio', audio: {} }],
    [
      'four reply buttons',
      {
        to: '1',
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'x' },
          action: {
            buttons: [1, 2, 3, 4].map((n) => ({ type: 'reply', reply: { id: `b${n}`, title: `B${n}` } })),
          },
        },
      },
    ],
    ['unknown type', { to: '1', type: 'poll', poll: {} }],
    ['missing recipient', { type: 'text', text: { body: 'x' } }],
  ];

  it.each(invalid)('rejects %s', (_label, payload) => {
    expect(outboundMessageSchema.safeParse(payload).success).toBe(false);
  });
});

describe('media limits', () => {
  const bytes = (size: number) => new Uint8Array(size);

  it('enforces Meta type and size limits', () => {
    expect(checkMediaUpload('image/jpeg', bytes(5 * 1024 * 1024))).toMatchObject({
      ok: true,
      category: 'image',
    });
    expect(checkMediaUpload('image/png', bytes(5 * 1024 * 1024 + 1))).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    expect(checkMediaUpload('image/gif', bytes(10))).toMatchObject({ ok: false, reason: 'unsupported-type' });
    expect(checkMediaUpload('audio/ogg; codecs=opus', bytes(16 * 1024 * 1024))).toMatchObject({ ok: true });
    expect(checkMediaUpload('video/mp4', bytes(16 * 1024 * 1024 + 1))).toMatchObject({ ok: false });
    expect(checkMediaUpload('application/pdf', bytes(100 * 1024 * 1024))).toMatchObject({ ok: true });
  });

  it('allows 500 KB for animated stickers but 100 KB for static ones', () => {
    const animated = Buffer.alloc(400 * 1024);
    animated.write('RIFF', 0, 'latin1');
    animated.write('WEBPVP8X', 8, 'latin1');
    animated.write('ANIM', 30, 'latin1');
    const still = Buffer.alloc(400 * 1024);
    still.write('RIFF', 0, 'latin1');
    still.write('WEBPVP8 ', 8, 'latin1');
    expect(checkMediaUpload('image/webp', animated)).toMatchObject({ ok: true, category: 'sticker' });
    expect(checkMediaUpload('image/webp', still)).toMatchObject({
      ok: false,
      reason: 'too-large',
      maxBytes: 102400,
    });
  });
});
