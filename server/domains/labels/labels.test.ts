import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { connectTestChannel, customerSends, type TestChannel } from '../../test/channels.ts';
import { call } from '../../test/http-client.ts';
import { openSse, type SseStream } from '../../test/sse.ts';

/**
 * Labels as a team uses them: admins keep the workspace's list (name and colour), agents put them
 * on conversations and take them off, the timeline says who did, and the team sees it live.
 */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let agent: SignedUp;
let channel: TestChannel;
let stream: SseStream;
let conversationId = '';

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop', displayName: 'Olga Owner' });
  const invitation = await call<{ link: string }>(
    parley.app,
    'mutation',
    'invitation.create',
    { email: 'ana.agent@example.test', role: 'agent' },
    { cookie: owner.token },
  );
  agent = await signUpViaHttp(parley.app, {
    invitationToken: invitation.data.link.split('/invite/')[1] ?? '',
    displayName: 'Ana Agent',
  });
  channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  await customerSends(parley.app, channel, '15550000001', [
    {
      id: 'wamid.labels-1',
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body: 'Hi' },
    },
  ]);
  const list = await call(parley.app, 'query', 'conversation.list', {}, { cookie: owner.token });
  conversationId = list.data[0]?.id ?? '';
  const base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
  stream = await openSse(base, 'events.live', {}, { cookie: agent.token });
  await stream.next((m) => (m.data as { type?: string }).type === 'ready');
});

afterAll(() => stream.close());

const as = (who: SignedUp) => ({ cookie: who.token });

describe('the workspace’s labels', () => {
  it('are created, renamed, recoloured and deleted by admins, with clear refusals', async () => {
    const vip = await call(
      parley.app,
      'mutation',
      'label.create',
      { name: 'VIP', color: 'grape' },
      as(owner),
    );
    expect(vip.status).toBe(200);
    expect(vip.data).toMatchObject({ name: 'VIP', color: 'grape', conversations: 0 });

    const twice = await call(
      parley.app,
      'mutation',
      'label.create',
      { name: 'vip', color: 'red' },
      as(owner),
    );
    expect(twice).toMatchObject({ status: 409, error: { message: 'A label named “vip” already exists.' } });
    const badColour = await call(
      parley.app,
      'mutation',
      'label.create',
      { name: 'Hot', color: 'magenta' },
      as(owner),
    );
    expect(badColour.status).toBe(400);
    expect(badColour.error?.message).toContain('colour');
    const byAgent = await call(
      parley.app,
      'mutation',
      'label.create',
      { name: 'Mine', color: 'blue' },
      as(agent),
    );
    expect(byAgent.status).toBe(403);

    const renamed = await call(
      parley.app,
      'mutation',
      'label.update',
      { id: vip.data.id, name: 'Very important', color: 'orange' },
      as(owner),
    );
    expect(renamed.data).toMatchObject({ id: vip.data.id, name: 'Very important', color: 'orange' });

    const list = await call(parley.app, 'query', 'label.list', undefined, as(agent));
    expect(list.data.map((l) => l.name)).toEqual(['Very important']);

    expect((await call(parley.app, 'mutation', 'label.delete', { id: vip.data.id }, as(owner))).status).toBe(
      200,
    );
    const gone = await call(parley.app, 'mutation', 'label.delete', { id: vip.data.id }, as(owner));
    expect(gone.status).toBe(404);
  });
});

describe('labelling a conversation', () => {
  it('puts labels on and takes them off, idempotently, recorded in the timeline and announced live', async () => {
    const refund = await call(
      parley.app,
      'mutation',
      'label.create',
      { name: 'Refund', color: 'red' },
      as(owner),
    );
    const lead = await call(
      parley.app,
      'mutation',
      'label.create',
      { name: 'Lead', color: 'green' },
      as(owner),
    );

    const on = await call(
      parley.app,
      'mutation',
      'label.attach',
      { conversationId, labelId: refund.data.id },
      as(agent),
    );
    expect(on.data).toEqual({ labelIds: [refund.data.id] });
    const event = await stream.next((m) => (m.data as { kind?: string }).kind === 'conversation.labels');
    expect(event.data).toMatchObject({ conversationIds: [conversationId], entityIds: [refund.data.id] });
    // Asking again changes nothing and records nothing.
    await call(
      parley.app,
      'mutation',
      'label.attach',
      { conversationId, labelId: refund.data.id },
      as(agent),
    );
    await call(parley.app, 'mutation', 'label.attach', { conversationId, labelId: lead.data.id }, as(agent));

    const listed = await call(parley.app, 'query', 'conversation.list', {}, as(agent));
    expect(listed.data[0]?.labelIds).toEqual([refund.data.id, lead.data.id]);
    const counted = await call(parley.app, 'query', 'label.list', undefined, as(agent));
    expect(counted.data.find((l) => l.name === 'Refund')?.conversations).toBe(1);

    const off = await call(
      parley.app,
      'mutation',
      'label.detach',
      { conversationId, labelId: refund.data.id },
      as(agent),
    );
    expect(off.data).toEqual({ labelIds: [lead.data.id] });

    const timeline = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversationId },
      as(owner),
    );
    expect(
      timeline.data
        .filter((a) => a.label)
        .map((a) => ({ action: a.action, by: a.actorUserId, label: a.label?.name, color: a.label?.color })),
    ).toEqual([
      { action: 'labelled', by: agent.userId, label: 'Refund', color: 'red' },
      { action: 'labelled', by: agent.userId, label: 'Lead', color: 'green' },
      { action: 'unlabelled', by: agent.userId, label: 'Refund', color: 'red' },
    ]);
  });

  it('refuses viewers, unknown labels and unknown conversations with clear messages', async () => {
    const [label] = (await call(parley.app, 'query', 'label.list', undefined, as(owner))).data;
    const unknown = await call(
      parley.app,
      'mutation',
      'label.attach',
      { conversationId, labelId: '01900000-0000-7000-8000-000000000001' },
      as(agent),
    );
    expect(unknown).toMatchObject({ status: 404, error: { message: 'No such label.' } });
    const noConversation = await call(
      parley.app,
      'mutation',
      'label.attach',
      { conversationId: '01900000-0000-7000-8000-000000000001', labelId: label?.id },
      as(agent),
    );
    expect(noConversation).toMatchObject({ status: 404, error: { message: 'No such conversation.' } });
  });

  it('leaves every conversation when the label is deleted; the timeline keeps its name', async () => {
    const lead = (await call(parley.app, 'query', 'label.list', undefined, as(owner))).data.find(
      (l) => l.name === 'Lead',
    );
    await call(parley.app, 'mutation', 'label.delete', { id: lead?.id }, as(owner));
    const listed = await call(parley.app, 'query', 'conversation.list', {}, as(agent));
    expect(listed.data[0]?.labelIds).toEqual([]);
    const timeline = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversationId },
      as(owner),
    );
    expect(timeline.data.some((a) => a.label?.name === 'Lead')).toBe(true);
    const stored = await parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from app_public.conversation_labels`);
    expect(stored).toBe(0);
  });
});
