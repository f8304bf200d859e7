import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { customerSends, setupWebhookTestbed, type TestChannel } from '../../test/channels.ts';
import { call } from '../../test/http-client.ts';
import { openSse } from '../../test/sse.ts';

/** The contact panel's procedures: who the customer is, every conversation with them, and a name for the team. */
const parley = setupWebhookTestbed({ owner: true });
let owner: SignedUp;
let viewer: SignedUp;
let other: SignedUp;
let contactId = '';
let firstConversation = '';
let channel: TestChannel;

const now = () => `${Math.floor(Date.now() / 1000)}`;

beforeAll(async () => {
  owner = parley.owner;
  channel = parley.channel;
  const link = await call<{ link: string }>(
    parley.app,
    'mutation',
    'invitation.create',
    { email: 'viewer.contacts@example.test', role: 'viewer' },
    { cookie: owner.token },
  );
  viewer = await signUpViaHttp(parley.app, { invitationToken: link.data.link.split('/invite/')[1] ?? '' });
  other = await signUpViaHttp(parley.app, { workspaceName: 'Contacts Beta' });
  await customerSends(parley.app, channel, '4915112345678', [
    { id: 'wamid.contact1', timestamp: now(), type: 'text', text: { body: 'Hallo!' } },
  ]);
  const list = await call(parley.app, 'query', 'conversation.list', {}, { cookie: owner.token });
  contactId = list.data[0]?.contact.id ?? '';
  firstConversation = list.data[0]?.id ?? '';
});

describe('contact.byId', () => {
  it('shows the number, profile name, when first seen and the conversations with them', async () => {
    const contact = await call(
      parley.app,
      'query',
      'contact.byId',
      { id: contactId },
      { cookie: viewer.token },
    );
    expect(contact.status).toBe(200);
    expect(contact.data).toMatchObject({
      id: contactId,
      name: 'Customer 4915112345678',
      agentName: null,
      profileName: 'Customer 4915112345678',
      waId: '4915112345678',
      bsuid: null,
      conversations: [
        {
          id: firstConversation,
          status: 'open',
          lastMessagePreview: 'Hallo!',
          businessNumber: '15550101010',
        },
      ],
    });
    expect(Date.now() - Date.parse(contact.data.firstSeenAt)).toBeLessThan(120_000);
  });

  it('is not found in another workspace', async () => {
    const answer = await call(
      parley.app,
      'query',
      'contact.byId',
      { id: contactId },
      { cookie: other.token },
    );
    expect(answer.status).toBe(404);
    expect(answer.error?.message).toBe('No such contact.');
  });
});

describe('country of an inbound contact', () => {
  const countryOf = async (waId: string) => {
    const list = await call(
      parley.app,
      'query',
      'contact.list',
      { filter: { search: waId } },
      { cookie: owner.token },
    );
    return list.data.items.map((c) => c.country);
  };

  it('comes from the number when a customer first writes (the batch path)', async () => {
    expect(await countryOf('4915112345678')).toEqual(['DE']);
  });

  it('comes from the number on the one-item path too (a reaction from a new number)', async () => {
    await customerSends(parley.app, channel, '5511987654321', [
      {
        id: 'wamid.country-reaction',
        timestamp: now(),
        type: 'reaction',
        reaction: { message_id: 'wamid.contact1', emoji: '👍' },
      },
    ]);
    expect(await countryOf('5511987654321')).toEqual(['BR']);
  });
});

describe('contact.rename', () => {
  it('names the contact for the team: the inbox shows it, teammates hear of it live, and WhatsApp no longer overrides it', async () => {
    const base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const stream = await openSse(base, 'events.live', {}, { cookie: viewer.token });
    try {
      await stream.next((m) => (m.data as { type?: string }).type === 'ready');
      const renamed = await call(
        parley.app,
        'mutation',
        'contact.rename',
        { id: contactId, name: '  Jonas (wholesale)  ' },
        { cookie: owner.token },
      );
      expect(renamed.status).toBe(200);
      expect(renamed.data).toMatchObject({ name: 'Jonas (wholesale)', agentName: 'Jonas (wholesale)' });
      const event = await stream.next((m) => (m.data as { kind?: string }).kind === 'contact.updated');
      expect(event.data).toMatchObject({ entityIds: [contactId], conversationIds: [firstConversation] });
    } finally {
      stream.close();
    }
    // The customer writes again with their profile name: the team's name stays.
    await customerSends(parley.app, channel, '4915112345678', [
      { id: 'wamid.contact2', timestamp: now(), type: 'text', text: { body: 'Noch da?' } },
    ]);
    const list = await call(parley.app, 'query', 'conversation.list', {}, { cookie: owner.token });
    expect(list.data[0]?.contact.name).toBe('Jonas (wholesale)');
    const cleared = await call(
      parley.app,
      'mutation',
      'contact.rename',
      { id: contactId, name: null },
      { cookie: owner.token },
    );
    expect(cleared.data).toMatchObject({ name: 'Customer 4915112345678', agentName: null });
  });

  it('refuses an empty or overlong name with a sentence, and viewers', async () => {
    const empty = await call(
      parley.app,
      'mutation',
      'contact.rename',
      { id: contactId, name: '   ' },
      { cookie: owner.token },
    );
    expect(empty.status).toBe(400);
    expect(empty.error?.message).toContain('Enter a name');
    const long = await call(
      parley.app,
      'mutation',
      'contact.rename',
      { id: contactId, name: 'x'.repeat(121) },
      { cookie: owner.token },
    );
    expect(long.status).toBe(400);
    expect(long.error?.message).toContain('at most 120');
    const asViewer = await call(
      parley.app,
      'mutation',
      'contact.rename',
      { id: contactId, name: 'V' },
      { cookie: viewer.token },
    );
    expect(asViewer.status).toBe(403);
  });

  it("cannot rename another workspace's contact", async () => {
    const answer = await call(
      parley.app,
      'mutation',
      'contact.rename',
      { id: contactId, name: 'Hijacked' },
      { cookie: other.token },
    );
    expect(answer.status).toBe(404);
    const mine = await call(parley.app, 'query', 'contact.byId', { id: contactId }, { cookie: owner.token });
    expect(mine.data.name).not.toBe('Hijacked');
  });
});
