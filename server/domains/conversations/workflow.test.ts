import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { connectTestChannel, customerWritesText, type TestChannel } from '../../test/channels.ts';
import { call } from '../../test/http-client.ts';
import { openSse, type SseStream } from '../../test/sse.ts';
import { wakeSnoozedConversations } from './wake.ts';

/**
 * The conversation workflow as a team uses it: status and snooze, assignment to a member or a team,
 * two agents acting at once, the activity timeline, and every change announced live to the team.
 */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let agent: SignedUp;
let viewer: SignedUp;
let channel: TestChannel;
let stream: SseStream;

async function invite(email: string, role: 'agent' | 'viewer', displayName: string) {
  const created = await call<{ link: string }>(
    parley.app,
    'mutation',
    'invitation.create',
    { email, role },
    { cookie: owner.token },
  );
  return signUpViaHttp(parley.app, {
    invitationToken: created.data.link.split('/invite/')[1] ?? '',
    displayName,
  });
}

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop', displayName: 'Olga Owner' });
  agent = await invite('ada.agent@example.test', 'agent', 'Ada Agent');
  viewer = await invite('vic.viewer@example.test', 'viewer', 'Vic Viewer');
  channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  const base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
  stream = await openSse(base, 'events.live', {}, { cookie: viewer.token });
  await stream.next((m) => (m.data as { type?: string }).type === 'ready');
});

afterAll(() => stream.close());

/** Customer `from` writes a text message (a signed webhook, processed by the real job). */
const customerWrites = (from: string, text: string) => customerWritesText(parley.app, channel, from, text);

async function conversationOf(from: string) {
  const list = await call(parley.app, 'query', 'conversation.list', {}, { cookie: owner.token });
  const found = list.data.find((c) => c.contact.waId === from);
  if (!found) throw new Error(`no conversation with ${from}`);
  return found;
}

const eventFor = (kind: string, conversationId: string, afterId = 0) =>
  stream.next((m) => {
    const data = m.data as { kind?: string; id?: number; conversationIds?: string[] };
    return (
      data.kind === kind && (data.id ?? 0) > afterId && (data.conversationIds ?? []).includes(conversationId)
    );
  });

describe('status', () => {
  it('resolves, reopens on the customer writing, and tells the team live', async () => {
    await customerWrites('15550000001', 'Where is my blue jacket?');
    const before = await conversationOf('15550000001');
    expect(before).toMatchObject({ status: 'open', assignedUserId: null, snoozedUntil: null });

    const resolved = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: before.id, version: before.version, status: 'resolved' },
      { cookie: agent.token },
    );
    expect(resolved.data).toMatchObject({ id: before.id, status: 'resolved', version: before.version + 1 });
    const event = await eventFor('conversation.status', before.id);
    expect((event.data as { conversations: { status: string }[] }).conversations[0]?.status).toBe('resolved');
    expect(JSON.stringify(event.data)).not.toContain('blue jacket');

    await customerWrites('15550000001', 'Hello again');
    expect(await conversationOf('15550000001')).toMatchObject({ status: 'open' });
  });

  it('snoozes until a time: a customer message wakes it at once, the alarm job when the time has come', async () => {
    await customerWrites('15550000002', 'Call me tomorrow');
    let conversation = await conversationOf('15550000002');
    const until = new Date(Date.now() + 3600_000).toISOString();
    const snoozed = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: conversation.version, status: 'snoozed', snoozedUntil: until },
      { cookie: agent.token },
    );
    expect(snoozed.data.status).toBe('snoozed');
    expect(Date.parse(snoozed.data.snoozedUntil ?? '')).toBe(Date.parse(until));
    const snoozedTab = await call(
      parley.app,
      'query',
      'conversation.list',
      { status: 'snoozed' },
      { cookie: agent.token },
    );
    expect(snoozedTab.data.map((c) => c.id)).toEqual([conversation.id]);

    await customerWrites('15550000002', 'Actually, now please');
    expect(await conversationOf('15550000002')).toMatchObject({ status: 'open', snoozedUntil: null });

    // Snoozed again; the alarm rings when the time has come (moved into the past here), not before.
    conversation = await conversationOf('15550000002');
    await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: conversation.version, status: 'snoozed', snoozedUntil: until },
      { cookie: agent.token },
    );
    expect(await wakeSnoozedConversations(parley.db.pools.owner)).toBe(0);
    await parley.db.pools.owner.query(sql.unsafe`
      update app_public.conversations set snoozed_until = now() - interval '1 second' where id = ${conversation.id}`);
    expect(await wakeSnoozedConversations(parley.db.pools.owner)).toBe(1);
    expect(await conversationOf('15550000002')).toMatchObject({ status: 'open', snoozedUntil: null });
  });

  it('refuses a snooze without a time or in the past, readably', async () => {
    const conversation = await conversationOf('15550000002');
    const noTime = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: conversation.version, status: 'snoozed' },
      { cookie: agent.token },
    );
    expect(noTime.status).toBe(400);
    expect(noTime.error?.message).toMatch(/snooz/i);
    const past = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      {
        id: conversation.id,
        version: conversation.version,
        status: 'snoozed',
        snoozedUntil: '2020-01-01T00:00:00Z',
      },
      { cookie: agent.token },
    );
    expect(past.status).toBe(400);
    expect(past.error?.message).toBe('Snooze until a time in the future.');
  });

  it('is for agents: a viewer may not change it', async () => {
    const conversation = await conversationOf('15550000002');
    const denied = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: conversation.version, status: 'resolved' },
      { cookie: viewer.token },
    );
    expect(denied.status).toBe(403);
  });
});

describe('assignment', () => {
  it('assigns to a member or a team, filters by assignee, unassigns', async () => {
    await customerWrites('15550000003', 'I need a refund');
    const conversation = await conversationOf('15550000003');
    const mine = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: agent.userId },
      { cookie: agent.token },
    );
    expect(mine.data).toMatchObject({ assignedUserId: agent.userId, assignedTeamId: null });
    await eventFor('conversation.assigned', conversation.id);

    const agentsOwn = await call(
      parley.app,
      'query',
      'conversation.list',
      { assignee: 'me' },
      { cookie: agent.token },
    );
    expect(agentsOwn.data.map((c) => c.id)).toEqual([conversation.id]);
    const ownersOwn = await call(
      parley.app,
      'query',
      'conversation.list',
      { assignee: 'me' },
      { cookie: owner.token },
    );
    expect(ownersOwn.data).toEqual([]);
    const unassigned = await call(
      parley.app,
      'query',
      'conversation.list',
      { assignee: 'unassigned' },
      { cookie: owner.token },
    );
    expect(unassigned.data.map((c) => c.id)).not.toContain(conversation.id);

    const team = await call(
      parley.app,
      'mutation',
      'team.create',
      { name: 'Billing' },
      { cookie: owner.token },
    );
    expect(team.data).toMatchObject({ name: 'Billing', memberIds: [] });
    const toTeam = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: mine.data.version, userId: null, teamId: team.data.id },
      { cookie: agent.token },
    );
    expect(toTeam.data).toMatchObject({ assignedUserId: null, assignedTeamId: team.data.id });

    // Deleting the team leaves the conversation unassigned, not dangling.
    await call(parley.app, 'mutation', 'team.delete', { id: team.data.id }, { cookie: owner.token });
    expect(await conversationOf('15550000003')).toMatchObject({ assignedTeamId: null, assignedUserId: null });
  });

  it('refuses an assignee outside the workspace', async () => {
    const stranger = await signUpViaHttp(parley.app, { workspaceName: 'Elsewhere' });
    const conversation = await conversationOf('15550000003');
    const result = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: stranger.userId },
      { cookie: agent.token },
    );
    expect(result.status).toBe(400);
    expect(result.error?.message).toBe('That person is not a member of this workspace.');
  });

  it('lets exactly one of two agents assigning at once win; both see the winner live', async () => {
    await customerWrites('15550000004', 'Anyone there?');
    const seen = await conversationOf('15550000004');
    const lastEvent = Math.max(0, ...stream.messages.map((m) => (m.data as { id?: number }).id ?? 0));
    const [byAgent, byOwner] = await Promise.all([
      call(
        parley.app,
        'mutation',
        'conversation.assign',
        { id: seen.id, version: seen.version, userId: agent.userId },
        { cookie: agent.token },
      ),
      call(
        parley.app,
        'mutation',
        'conversation.assign',
        { id: seen.id, version: seen.version, userId: owner.userId },
        { cookie: owner.token },
      ),
    ]);
    const statuses = [byAgent.status, byOwner.status].sort();
    expect(statuses).toEqual([200, 409]);
    const loser = byAgent.status === 409 ? byAgent : byOwner;
    expect(loser.error?.message).toBe(
      'Someone else changed this conversation meanwhile; look at it again and retry.',
    );
    const winner = byAgent.status === 200 ? agent : owner;
    const event = await eventFor('conversation.assigned', seen.id, lastEvent);
    expect(
      (event.data as { conversations: { assignedUserId: string }[] }).conversations[0]?.assignedUserId,
    ).toBe(winner.userId);
    expect(await conversationOf('15550000004')).toMatchObject({ assignedUserId: winner.userId });
  });
});

describe('activity', () => {
  it('tells who assigned, resolved and reopened the conversation, and when, oldest first', async () => {
    await customerWrites('15550000005', 'Is the jacket waterproof?');
    let conversation = await conversationOf('15550000005');
    const step = async (path: 'conversation.assign' | 'conversation.setStatus', input: object) => {
      const result = await call<{ version: number }>(
        parley.app,
        'mutation',
        path,
        { id: conversation.id, version: conversation.version, ...input },
        { cookie: agent.token },
      );
      expect(result.status, JSON.stringify(result.error)).toBe(200);
      conversation = await conversationOf('15550000005');
    };
    await step('conversation.assign', { userId: agent.userId });
    await step('conversation.setStatus', { status: 'resolved' });
    await customerWrites('15550000005', 'One more question');

    const activity = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversation.id },
      { cookie: viewer.token },
    );
    expect(activity.data.map((a) => [a.action, a.actorUserId, a.status ?? a.assignedUserId])).toEqual([
      ['assigned', agent.userId, agent.userId],
      ['status', agent.userId, 'resolved'],
      // The customer's message reopened it: nobody of the team did.
      ['status', null, 'open'],
    ]);
    for (const entry of activity.data) expect(Date.parse(entry.createdAt)).not.toBeNaN();
    // The names the timeline shows: who acted and whom they assigned; the system has none.
    expect(activity.data.map((a) => [a.actorName, a.assignedUserName])).toEqual([
      ['Ada Agent', 'Ada Agent'],
      ['Ada Agent', null],
      [null, null],
    ]);
  });

  it('names the team a conversation was assigned to', async () => {
    await customerWrites('15550000015', 'Can the sales team call me?');
    const conversation = await conversationOf('15550000015');
    const team = await call<{ id: string }>(
      parley.app,
      'mutation',
      'team.create',
      { name: 'Timeline Sales' },
      { cookie: owner.token },
    );
    const assigned = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: null, teamId: team.data.id },
      { cookie: owner.token },
    );
    expect(assigned.status, JSON.stringify(assigned.error)).toBe(200);
    const activity = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversation.id },
      { cookie: viewer.token },
    );
    expect(activity.data.at(-1)).toMatchObject({
      action: 'assigned',
      actorName: 'Olga Owner',
      assignedTeamId: team.data.id,
      assignedTeamName: 'Timeline Sales',
    });
    // The teams below start from none.
    await call(parley.app, 'mutation', 'team.delete', { id: team.data.id }, { cookie: owner.token });
  });
});

describe('teams', () => {
  it('are named groups of members, managed by admins, listed to everyone', async () => {
    const created = await call(
      parley.app,
      'mutation',
      'team.create',
      { name: '  Support  ' },
      { cookie: owner.token },
    );
    expect(created.data.name).toBe('Support');
    const duplicate = await call(
      parley.app,
      'mutation',
      'team.create',
      { name: 'support' },
      { cookie: owner.token },
    );
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.message).toBe('A team named “support” already exists.');
    const empty = await call(parley.app, 'mutation', 'team.create', { name: ' ' }, { cookie: owner.token });
    expect(empty.status).toBe(400);

    await call(
      parley.app,
      'mutation',
      'team.setMember',
      { teamId: created.data.id, userId: agent.userId, member: true },
      { cookie: owner.token },
    );
    const withViewer = await call(
      parley.app,
      'mutation',
      'team.setMember',
      { teamId: created.data.id, userId: viewer.userId, member: true },
      { cookie: owner.token },
    );
    expect(withViewer.data.memberIds).toEqual([agent.userId, viewer.userId]);
    const renamed = await call(
      parley.app,
      'mutation',
      'team.rename',
      { id: created.data.id, name: 'Customer care' },
      { cookie: owner.token },
    );
    expect(renamed.data.name).toBe('Customer care');
    await stream.next((m) => {
      const data = m.data as { kind?: string; entityIds?: string[] };
      return data.kind === 'team.changed' && (data.entityIds ?? []).includes(created.data.id);
    });

    const byAgent = await call(
      parley.app,
      'mutation',
      'team.create',
      { name: 'Rogue' },
      { cookie: agent.token },
    );
    expect(byAgent.status).toBe(403);

    // A member who leaves the workspace leaves its teams.
    await call(parley.app, 'mutation', 'member.remove', { userId: viewer.userId }, { cookie: owner.token });
    const listed = await call(parley.app, 'query', 'team.list', undefined, { cookie: agent.token });
    expect(listed.data).toEqual([{ id: created.data.id, name: 'Customer care', memberIds: [agent.userId] }]);
  });
});
