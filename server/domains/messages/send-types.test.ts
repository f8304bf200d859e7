import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { startSendHarness, type SendHarness } from '../../test/send-harness.ts';

/**
 * Every send type through the procedures, the outbox, the worker and the simulator, back to its
 * statuses: the body Meta receives is the message object of Meta's Cloud API reference.
 */
const db = setupTestDatabase();
let h: SendHarness;
let conversationId: string;
const customer = '15550190001';

beforeAll(async () => {
  h = await startSendHarness(db.url);
  conversationId = await h.conversationWith(customer, 'Do you deliver to Malmö?');
});
afterAll(async () => {
  await h.close();
});

/** Sends through `path`, waits for Meta's delivered status, and returns what Meta received. */
async function roundTrip(path: Parameters<SendHarness['as']>[0], input: Record<string, unknown>) {
  const sent = await h.as<{ id: string; status: string }>(path, { conversationId, ...input });
  expect(sent.status, JSON.stringify(sent.error)).toBe(200);
  expect(sent.data.status).toBe('queued');
  const message = await h.until(
    conversationId,
    sent.data.id,
    (m) => m.status === 'delivered',
    `${path} to be delivered`,
  );
  const atMeta = h.sentTo(customer).find((m) => m.wamid === message.wamid);
  expect(atMeta).toBeDefined();
  return { message, body: atMeta?.body as Record<string, unknown> };
}

const envelope = { messaging_product: 'whatsapp', recipient_type: 'individual', to: customer };

describe('send types, each through the simulator and back', () => {
  it('text, with the link preview flag', async () => {
    const { body, message } = await roundTrip('message.send', {
      text: 'Track it at https://parley.example/t/1',
      previewUrl: true,
    });
    expect(body).toMatchObject({
      ...envelope,
      type: 'text',
      text: { body: 'Track it at https://parley.example/t/1', preview_url: true },
    });
    expect(message).toMatchObject({ type: 'text', body: 'Track it at https://parley.example/t/1' });
    // A reply in the customer-service window: Meta prices it as a (free) service message.
    expect(message.pricingCategory).toBe('service');
  });

  it('reply buttons (up to three)', async () => {
    const { body } = await roundTrip('message.sendButtons', {
      header: 'Delivery',
      body: 'When should we come?',
      footer: 'Free delivery',
      buttons: [{ title: 'Morning' }, { title: 'Afternoon' }, { title: 'Evening' }],
    });
    expect(body).toMatchObject({
      ...envelope,
      type: 'interactive',
      interactive: {
        type: 'button',
        header: { type: 'text', text: 'Delivery' },
        body: { text: 'When should we come?' },
        footer: { text: 'Free delivery' },
        action: {
          buttons: [
            { type: 'reply', reply: { id: 'button-1', title: 'Morning' } },
            { type: 'reply', reply: { id: 'button-2', title: 'Afternoon' } },
            { type: 'reply', reply: { id: 'button-3', title: 'Evening' } },
          ],
        },
      },
    });
  });

  it('a list with sections and rows', async () => {
    const { body } = await roundTrip('message.sendList', {
      body: 'Pick a size',
      button: 'Sizes',
      sections: [
        { title: 'Jackets', rows: [{ title: 'M', description: 'Chest 96–101 cm' }, { title: 'L' }] },
        { title: 'Coats', rows: [{ title: 'XL' }] },
      ],
    });
    expect(body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'list',
        body: { text: 'Pick a size' },
        action: {
          button: 'Sizes',
          sections: [
            {
              title: 'Jackets',
              rows: [
                { id: 'row-1', title: 'M', description: 'Chest 96–101 cm' },
                { id: 'row-2', title: 'L' },
              ],
            },
            { title: 'Coats', rows: [{ id: 'row-3', title: 'XL' }] },
          ],
        },
      },
    });
  });

  it('a call-to-action URL button', async () => {
    const { body } = await roundTrip('message.sendCtaUrl', {
      body: 'Your receipt is ready.',
      displayText: 'See receipt',
      url: 'https://parley.example/r/77',
    });
    expect(body).toMatchObject({
      type: 'interactive',
      interactive: {
        type: 'cta_url',
        body: { text: 'Your receipt is ready.' },
        action: {
          name: 'cta_url',
          parameters: { display_text: 'See receipt', url: 'https://parley.example/r/77' },
        },
      },
    });
  });

  it('a location', async () => {
    const { body, message } = await roundTrip('message.sendLocation', {
      latitude: 55.605,
      longitude: 13.0038,
      name: 'Parley Store',
      address: 'Stortorget 1, Malmö',
    });
    expect(body).toMatchObject({
      type: 'location',
      location: {
        latitude: 55.605,
        longitude: 13.0038,
        name: 'Parley Store',
        address: 'Stortorget 1, Malmö',
      },
    });
    expect(message.body).toBe('📍 Parley Store');
  });

  it('contact cards', async () => {
    const { body } = await roundTrip('message.sendContacts', {
      contacts: [{ name: 'Maya Lindqvist', phone: '+46 70 123 45 67', email: 'maya@example.test' }],
    });
    expect(body).toMatchObject({
      type: 'contacts',
      contacts: [
        {
          name: { formatted_name: 'Maya Lindqvist', first_name: 'Maya', last_name: 'Lindqvist' },
          phones: [{ phone: '+46 70 123 45 67', type: 'CELL' }],
          emails: [{ email: 'maya@example.test', type: 'WORK' }],
        },
      ],
    });
  });

  it('a reply quoting the customer’s message (context.message_id)', async () => {
    const inbound = (await h.messages(conversationId)).find((m) => m.direction === 'inbound');
    const { body, message } = await roundTrip('message.send', {
      text: 'Yes, we do!',
      replyToId: inbound?.id,
    });
    expect(body).toMatchObject({ context: { message_id: inbound?.wamid }, text: { body: 'Yes, we do!' } });
    expect(message.quotedWamid).toBe(inbound?.wamid);
  });

  it('a reaction, and its removal with an empty emoji, shown on the message reacted to', async () => {
    const inbound = (await h.messages(conversationId)).find((m) => m.direction === 'inbound');
    const reacted = await h.as<{ id: string; status: string }>('message.react', {
      conversationId,
      messageId: inbound?.id,
      emoji: '👍',
    });
    expect(reacted.status, JSON.stringify(reacted.error)).toBe(200);
    expect(reacted.data.status).toBe('queued');
    const withReaction = await h.until(
      conversationId,
      inbound?.id ?? '',
      (m) => m.ownReaction?.messageId === reacted.data.id && m.ownReaction.status === 'delivered',
      'the reaction, delivered, on the customer’s message',
    );
    expect(withReaction.ownReaction).toMatchObject({ emoji: '👍', status: 'delivered' });
    // The reaction is not a message of its own in the thread.
    expect((await h.messages(conversationId)).filter((m) => m.type === 'reaction')).toEqual([]);

    const removed = await h.as<{ id: string }>('message.react', {
      conversationId,
      messageId: inbound?.id,
      emoji: '',
    });
    expect(removed.status, JSON.stringify(removed.error)).toBe(200);
    const withoutReaction = await h.until(
      conversationId,
      inbound?.id ?? '',
      (m) => m.ownReaction?.messageId === removed.data.id && m.ownReaction.status === 'delivered',
      'the removal, delivered',
    );
    expect(withoutReaction.ownReaction?.emoji).toBeNull();
    const reactions = h
      .sentTo(customer)
      .filter((m) => m.type === 'reaction')
      .map((m) => (m.body as { reaction: unknown }).reaction);
    expect(reactions).toEqual([
      { message_id: inbound?.wamid, emoji: '👍' },
      { message_id: inbound?.wamid, emoji: '' },
    ]);
  });

  it('mark as read with the typing indicator', async () => {
    const marked = await h.as('message.markRead', { conversationId, typing: true });
    expect(marked.status, JSON.stringify(marked.error)).toBe(200);
    const record = await eventually(
      async () => h.simulator.inboundMessages().find((m) => m.from === customer && m.typingIndicatorAt),
      'Meta to show the customer read ticks and typing',
    );
    expect(record.readAt).toBeDefined();
  });
});

describe('refusals an agent can read', () => {
  it('four reply buttons, a list of eleven rows, a bad link: 400 with the reason', async () => {
    const buttons = await h.as('message.sendButtons', {
      conversationId,
      body: 'Pick one',
      buttons: [{ title: 'A' }, { title: 'B' }, { title: 'C' }, { title: 'D' }],
    });
    expect(buttons.status).toBe(400);
    expect(JSON.stringify(buttons.error)).toMatch(/at most 3 reply buttons/);
    const list = await h.as('message.sendList', {
      conversationId,
      body: 'Pick one',
      button: 'Open',
      sections: [{ rows: Array.from({ length: 11 }, (_, i) => ({ title: `Row ${i}` })) }],
    });
    expect(list.status).toBe(400);
    expect(JSON.stringify(list.error)).toMatch(/at most 10 rows/);
    const link = await h.as('message.sendCtaUrl', {
      conversationId,
      body: 'Open',
      displayText: 'Open',
      url: 'javascript:alert(1)',
    });
    expect(link.status).toBe(400);
    expect(JSON.stringify(link.error)).toMatch(/https:\/\//);
  });

  it('free-form types outside the 24-hour window: 412, a template is needed', async () => {
    await db.pools.owner.query(
      // The customer last wrote two days ago.
      sql.unsafe`
        update app_public.conversations set last_inbound_at = now() - interval '2 days' where id = ${conversationId}
      `,
    );
    const refused = await h.as('message.sendLocation', { conversationId, latitude: 1, longitude: 2 });
    expect(refused.status).toBe(412);
    expect(JSON.stringify(refused.error)).toMatch(/only an approved template/);
  });
});
