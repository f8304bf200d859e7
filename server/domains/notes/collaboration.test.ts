import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import {
  connectTestChannel,
  customerWritesText,
  postWebhook,
  processed,
  type TestChannel,
} from '../../test/channels.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';
import { openSse, type SseStream } from '../../test/sse.ts';
import { assignDueConversations } from '../autoAssign/service.ts';
import { fillPlaceholders } from '../cannedResponses/placeholders.ts';
import { mentionToken, mentionedIds, notePlainText } from './mentions.ts';

/**
 * Working together on a conversation: internal notes with @mentions and the notifications they
 * raise (live, to the mentioned member only), canned responses, and round-robin auto-assignment
 * among available members, fair under concurrent workers.
 */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let ada: SignedUp;
let ben: SignedUp;
let viewer: SignedUp;
let channel: TestChannel;
let base = '';
const streams: SseStream[] = [];

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

async function listen(who: SignedUp) {
  const stream = await openSse(base, 'events.live', {}, { cookie: who.token });
  await stream.next((m) => (m.data as { type?: string }).type === 'ready');
  streams.push(stream);
  return stream;
}

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop', displayName: 'Olga Owner' });
  // Four members: more seats than the free plan's three.
  await parley.db.pools.owner.query(
    sql.unsafe`update app_private.tenants set plan_id = 'starter' where id = ${owner.tenantId}`,
  );
  ada = await invite('ada.agent@example.test', 'agent', 'Ada Agent');
  ben = await invite('ben.agent@example.test', 'agent', 'Ben Agent');
  viewer = await invite('vic.viewer@example.test', 'viewer', 'Vic Viewer');
  channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
});

afterAll(() => {
  for (const stream of streams) stream.close();
});

const customerWrites = (from: string, text: string) => customerWritesText(parley.app, channel, from, text);

async function conversationOf(from: string) {
  const list = await call(parley.app, 'query', 'conversation.list', { limit: 200 }, { cookie: owner.token });
  const found = list.data.find((c) => c.contact.waId === from);
  if (!found) throw new Error(`no conversation with ${from}`);
  return found;
}

const notificationsOf = async (who: SignedUp) =>
  (await call(parley.app, 'query', 'notification.list', {}, { cookie: who.token })).data;

describe('mentions (pure)', () => {
  it('finds the mentioned ids once each and draws them as names', () => {
    const a = '0190f3a0-0000-7000-8000-000000000001';
    const body = `Hi ${mentionToken(a)}, see ${mentionToken(a.toUpperCase())} <@not-an-id>`;
    expect(mentionedIds(body)).toEqual([a]);
    expect(notePlainText(body, (id) => (id === a ? 'Ada' : null))).toBe('Hi @Ada, see @Ada <@not-an-id>');
  });
});

describe('internal notes', () => {
  it('a note mentioning Ben notifies Ben only, live, and shows in the thread and the timeline', async () => {
    await customerWrites('15550000101', 'My blue jacket has not arrived');
    const conversation = await conversationOf('15550000101');
    const adaStream = await listen(ada);
    const benStream = await listen(ben);
    const viewerStream = await listen(viewer);

    const note = await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: `${mentionToken(ben.userId)} can you check the courier?` },
      { cookie: ada.token },
    );
    expect(note.status).toBe(200);
    expect(note.data).toMatchObject({
      author: { id: ada.userId, name: 'Ada Agent' },
      mentions: [{ id: ben.userId, name: 'Ben Agent' }],
    });

    // Ben is told, live and in his list; nobody else is.
    const live = await benStream.next((m) => (m.data as { kind?: string }).kind === 'notification.created');
    expect((live.data as { entityIds: string[] }).entityIds).toEqual([ben.userId]);
    const bens = await notificationsOf(ben);
    expect(bens.unread).toBe(1);
    expect(bens.items[0]).toMatchObject({
      kind: 'mention',
      conversationId: conversation.id,
      actorName: 'Ada Agent',
      conversationName: 'Customer 15550000101',
      readAt: null,
    });
    expect((await notificationsOf(ada)).unread).toBe(0);
    expect((await notificationsOf(owner)).unread).toBe(0);

    // The team sees the note live; the viewer receives neither the note nor Ben's notification.
    await adaStream.next((m) => (m.data as { kind?: string }).kind === 'note.created');
    await new Promise((resolve) => setTimeout(resolve, 300));
    const kindsOf = (stream: SseStream) => stream.messages.map((m) => (m.data as { kind?: string }).kind);
    expect(kindsOf(adaStream)).not.toContain('notification.created');
    expect(kindsOf(viewerStream)).not.toContain('notification.created');
    expect(kindsOf(viewerStream)).not.toContain('note.created');
    expect(JSON.stringify(benStream.messages)).not.toContain('courier');

    const notes = await call(
      parley.app,
      'query',
      'note.list',
      { conversationId: conversation.id },
      { cookie: ben.token },
    );
    expect(notes.data.map((n) => n.id)).toEqual([note.data.id]);
    const activity = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversation.id },
      { cookie: owner.token },
    );
    expect(activity.data.map((a) => a.action)).toContain('note');

    // Marking read: one, then the count follows.
    const read = await call(
      parley.app,
      'mutation',
      'notification.markRead',
      { ids: [bens.items[0]?.id] },
      { cookie: ben.token },
    );
    expect(read.data).toEqual({ unread: 0 });
    expect((await notificationsOf(ben)).items[0]?.readAt).not.toBeNull();
  });

  it('is never sent to WhatsApp: no message is stored or queued', async () => {
    const conversation = await conversationOf('15550000101');
    const count = () =>
      withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
        tx.oneFirst(sql.type(z.object({ n: z.number() }))`
          select count(*)::int as n from app_public.messages where conversation_id = ${conversation.id}`),
      );
    const before = await count();
    await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: 'Refund approved internally' },
      { cookie: ada.token },
    );
    expect(await count()).toBe(before);
  });

  it('a viewer can neither write nor read notes; mentioning a viewer or a stranger is refused with a reason', async () => {
    const conversation = await conversationOf('15550000101');
    const asViewer = await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: 'hello' },
      { cookie: viewer.token },
    );
    expect(asViewer.status).toBe(403);
    expect(
      (
        await call(
          parley.app,
          'query',
          'note.list',
          { conversationId: conversation.id },
          { cookie: viewer.token },
        )
      ).status,
    ).toBe(403);
    for (const userId of [viewer.userId, '0190f3a0-0000-7000-8000-00000000dead']) {
      const refused = await call(
        parley.app,
        'mutation',
        'note.create',
        { conversationId: conversation.id, body: `ping ${mentionToken(userId)}` },
        { cookie: ada.token },
      );
      expect(refused.status).toBe(400);
      expect(refused.error?.message).toMatch(/can be mentioned/);
    }
    const empty = await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: '   ' },
      { cookie: ada.token },
    );
    expect(empty.status).toBe(400);
  });

  it('mentioning yourself notifies nobody', async () => {
    const conversation = await conversationOf('15550000101');
    const before = (await notificationsOf(ada)).items.length;
    await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: `reminder for ${mentionToken(ada.userId)}` },
      { cookie: ada.token },
    );
    expect((await notificationsOf(ada)).items.length).toBe(before);
  });
});

describe('editing and deleting notes', () => {
  it('the author edits and deletes their note, live for the team; a newly mentioned member is told', async () => {
    await customerWrites('15550000111', 'Can I change the size?');
    const conversation = await conversationOf('15550000111');
    const benStream = await listen(ben);
    const note = await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: 'Size M is out of stock' },
      { cookie: ada.token },
    );
    expect(note.data.editedAt).toBeNull();
    const bensBefore = (await notificationsOf(ben)).unread;

    const edited = await call(
      parley.app,
      'mutation',
      'note.update',
      { id: note.data.id, body: `Size M is back, ${mentionToken(ben.userId)} please reply` },
      { cookie: ada.token },
    );
    expect(edited.status, JSON.stringify(edited.error)).toBe(200);
    expect(edited.data).toMatchObject({
      id: note.data.id,
      mentions: [{ id: ben.userId, name: 'Ben Agent' }],
    });
    expect(edited.data.editedAt).not.toBeNull();
    // Ben sees the edit live (ids only), and is told he was mentioned.
    const live = await benStream.next((m) => (m.data as { kind?: string }).kind === 'note.updated');
    expect((live.data as { entityIds: string[]; conversationIds: string[] }).entityIds).toEqual([
      note.data.id,
    ]);
    expect(JSON.stringify(live.data)).not.toContain('Size M');
    await benStream.next((m) => (m.data as { kind?: string }).kind === 'notification.created');
    expect((await notificationsOf(ben)).unread).toBe(bensBefore + 1);
    // Editing again with the same mention tells nobody twice.
    await call(
      parley.app,
      'mutation',
      'note.update',
      { id: note.data.id, body: `Size M is back, ${mentionToken(ben.userId)} please reply today` },
      { cookie: ada.token },
    );
    expect((await notificationsOf(ben)).unread).toBe(bensBefore + 1);

    const deleted = await call(
      parley.app,
      'mutation',
      'note.delete',
      { id: note.data.id },
      { cookie: ada.token },
    );
    expect(deleted.data).toEqual({ ok: true });
    await benStream.next((m) => (m.data as { kind?: string }).kind === 'note.deleted');
    const notes = await call(
      parley.app,
      'query',
      'note.list',
      { conversationId: conversation.id },
      { cookie: ben.token },
    );
    expect(notes.data.map((n) => n.id)).not.toContain(note.data.id);
    // Its mention notification and its place on the timeline went with it.
    expect((await notificationsOf(ben)).unread).toBe(bensBefore);
    const activity = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversation.id },
      { cookie: owner.token },
    );
    expect(activity.data.filter((a) => a.noteId === note.data.id)).toEqual([]);
  });

  it("another agent may not change someone's note; an admin may; a viewer may not; a gone note is not found", async () => {
    const conversation = await conversationOf('15550000111');
    const note = await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: 'Ada only' },
      { cookie: ada.token },
    );
    for (const who of [ben, viewer]) {
      const update = await call(
        parley.app,
        'mutation',
        'note.update',
        { id: note.data.id, body: 'Ben was here' },
        { cookie: who.token },
      );
      expect(update.status).toBe(403);
      const remove = await call(
        parley.app,
        'mutation',
        'note.delete',
        { id: note.data.id },
        { cookie: who.token },
      );
      expect(remove.status).toBe(403);
    }
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'note.update',
          { id: note.data.id, body: 'x' },
          { cookie: ben.token },
        )
      ).error?.message,
    ).toMatch(/author of a note, or an admin/);
    const byOwner = await call(
      parley.app,
      'mutation',
      'note.update',
      { id: note.data.id, body: 'Tidied by the owner' },
      { cookie: owner.token },
    );
    expect(byOwner.data.body).toBe('Tidied by the owner');
    expect(byOwner.data.author).toMatchObject({ id: ada.userId });
    expect(
      (await call(parley.app, 'mutation', 'note.delete', { id: note.data.id }, { cookie: owner.token }))
        .status,
    ).toBe(200);
    const gone = await call(
      parley.app,
      'mutation',
      'note.delete',
      { id: note.data.id },
      { cookie: ada.token },
    );
    expect(gone.status).toBe(404);
    expect(gone.error?.message).toMatch(/No such note/);
  });
});

describe('the contact panel', () => {
  it("shows the labels and latest notes of all the contact's conversations; viewers get no notes", async () => {
    await customerWrites('15550000121', 'Hello from the panel');
    const conversation = await conversationOf('15550000121');
    const contactId = conversation.contact.id;
    const label = await call<{ id: string }>(
      parley.app,
      'mutation',
      'label.create',
      { name: 'Panel VIP', color: 'grape' },
      { cookie: owner.token },
    );
    await call(
      parley.app,
      'mutation',
      'label.attach',
      { conversationId: conversation.id, labelId: label.data.id },
      { cookie: ada.token },
    );
    await call(
      parley.app,
      'mutation',
      'note.create',
      { conversationId: conversation.id, body: 'Prefers email' },
      { cookie: ada.token },
    );
    const labels = await call(
      parley.app,
      'query',
      'label.ofContact',
      { contactId },
      { cookie: viewer.token },
    );
    expect(labels.data).toEqual([{ id: label.data.id, name: 'Panel VIP', color: 'grape', conversations: 1 }]);
    const notes = await call(parley.app, 'query', 'note.ofContact', { contactId }, { cookie: ben.token });
    expect(notes.data.map((n) => [n.body, n.conversationId])).toEqual([['Prefers email', conversation.id]]);
    expect(
      (await call(parley.app, 'query', 'note.ofContact', { contactId }, { cookie: viewer.token })).status,
    ).toBe(403);
  });
});

describe('assignment notifications', () => {
  it('assigning a conversation to someone else notifies them; taking it yourself does not', async () => {
    await customerWrites('15550000102', 'Size question');
    let conversation = await conversationOf('15550000102');
    const before = (await notificationsOf(ben)).items.length;
    const assigned = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: ben.userId },
      { cookie: owner.token },
    );
    expect(assigned.status).toBe(200);
    const bens = await notificationsOf(ben);
    expect(bens.items.length).toBe(before + 1);
    expect(bens.items[0]).toMatchObject({
      kind: 'assigned',
      actorName: 'Olga Owner',
      conversationId: conversation.id,
    });

    conversation = await conversationOf('15550000102');
    const adaBefore = (await notificationsOf(ada)).items.length;
    await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: ada.userId },
      { cookie: ada.token },
    );
    expect((await notificationsOf(ada)).items.length).toBe(adaBefore);
  });
});

describe('canned responses', () => {
  it('admins create, edit and delete them; shortcuts are unique and readable; agents only list', async () => {
    const created = await call(
      parley.app,
      'mutation',
      'cannedResponse.create',
      { shortcut: '/Thanks', body: 'Thank you {{contact.name}}!' },
      { cookie: owner.token },
    );
    expect(created.data).toMatchObject({ shortcut: 'thanks', body: 'Thank you {{contact.name}}!' });
    const duplicate = await call(
      parley.app,
      'mutation',
      'cannedResponse.create',
      { shortcut: 'thanks', body: 'again' },
      { cookie: owner.token },
    );
    expect(duplicate.status).toBe(409);
    expect(duplicate.error?.message).toContain('/thanks');
    const spaced = await call(
      parley.app,
      'mutation',
      'cannedResponse.create',
      { shortcut: 'two words', body: 'x' },
      { cookie: owner.token },
    );
    expect(spaced.status).toBe(400);
    expect(spaced.error?.message).toMatch(/letters, digits/);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'cannedResponse.create',
          { shortcut: 'mine', body: 'x' },
          { cookie: ada.token },
        )
      ).status,
    ).toBe(403);

    const edited = await call(
      parley.app,
      'mutation',
      'cannedResponse.update',
      { id: created.data.id, shortcut: 'ty', body: 'Thanks, {{ contact.name }}.' },
      { cookie: owner.token },
    );
    expect(edited.data).toMatchObject({ shortcut: 'ty' });
    const listed = await call(parley.app, 'query', 'cannedResponse.list', undefined, { cookie: ada.token });
    expect(listed.data.map((r) => r.shortcut)).toEqual(['ty']);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'cannedResponse.delete',
          { id: created.data.id },
          { cookie: owner.token },
        )
      ).status,
    ).toBe(200);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'cannedResponse.delete',
          { id: created.data.id },
          { cookie: owner.token },
        )
      ).status,
    ).toBe(404);
  });

  it('placeholders are filled from the conversation; unknown ones stay as written', () => {
    expect(
      fillPlaceholders('Hi {{contact.name}} ({{ contact.phone }}), {{agent.name}} here. {{order.id}}', {
        'contact.name': 'Maya',
        'contact.phone': '+15550001',
        'agent.name': null,
      }),
    ).toBe('Hi Maya (+15550001),  here. {{order.id}}');
  });
});

/** A customer writes to the workspace's second number (customerWritesText writes to the first). */
async function writesToSecondNumber(second: TestChannel, from: string) {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '310000000000002',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550102020', phone_number_id: '420000000000002' },
              contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
              messages: [
                {
                  from,
                  id: `wamid.second-${from}`,
                  timestamp: String(Math.floor(Date.now() / 1000)),
                  type: 'text',
                  text: { body: 'second number' },
                },
              ],
            },
          },
        ],
      },
    ],
  });
  expect((await postWebhook(parley.app, second, body)).statusCode).toBe(200);
  await processed(parley.app);
}

describe('round-robin auto-assignment', () => {
  const phoneNumberUuid = () =>
    withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
      tx.oneFirst(sql.type(z.object({ id: z.string() }))`select id from app_public.phone_numbers`),
    );
  const setAvailable = (who: SignedUp, available: boolean) =>
    call(parley.app, 'mutation', 'autoAssign.setAvailable', { available }, { cookie: who.token });
  const assigneeOf = (from: string) =>
    eventually(async () => {
      const conversation = await conversationOf(from);
      return conversation.assignedUserId ?? undefined;
    }, `an assignee for ${from}`);

  // Round robin takes members who are available and connected (a tab of theirs reports presence).
  const tabs = new Map<string, string>();
  const connect = (who: SignedUp) => {
    const tabId = tabs.get(who.userId) ?? crypto.randomUUID();
    tabs.set(who.userId, tabId);
    return call(
      parley.app,
      'mutation',
      'presence.update',
      { tabId, status: 'online', conversationId: null, typing: false },
      { cookie: who.token },
    );
  };
  const disconnect = async (who: SignedUp) => {
    const tabId = tabs.get(who.userId);
    tabs.delete(who.userId);
    if (tabId) await call(parley.app, 'mutation', 'presence.leave', { tabId }, { cookie: who.token });
  };

  it('gives new conversations to the available agents in turn, and records it on the timeline', async () => {
    await connect(ada);
    await connect(ben);
    await setAvailable(ada, true);
    await setAvailable(ben, true);
    const rule = await call(
      parley.app,
      'mutation',
      'autoAssign.setRule',
      { phoneNumberId: await phoneNumberUuid(), enabled: true },
      { cookie: owner.token },
    );
    expect(rule.data).toMatchObject({ enabled: true, teamId: null });

    const assignees: string[] = [];
    for (const from of ['15550000201', '15550000202', '15550000203', '15550000204']) {
      await customerWrites(from, 'Hello');
      assignees.push(await assigneeOf(from));
    }
    // Both agents, alternating; never the owner (not available) nor the viewer.
    expect(new Set(assignees)).toEqual(new Set([ada.userId, ben.userId]));
    expect(assignees[0]).not.toBe(assignees[1]);
    expect(assignees[2]).toBe(assignees[0]);
    expect(assignees[3]).toBe(assignees[1]);

    const conversation = await conversationOf('15550000201');
    const activity = await call(
      parley.app,
      'query',
      'conversation.activity',
      { id: conversation.id },
      { cookie: owner.token },
    );
    expect(activity.data.find((a) => a.action === 'auto_assigned')).toMatchObject({
      actorUserId: null,
      assignedUserId: assignees[0],
    });
    const notified = await notificationsOf(assignees[0] === ada.userId ? ada : ben);
    expect(notified.items.some((n) => n.kind === 'assigned' && n.conversationId === conversation.id)).toBe(
      true,
    );
  });

  it('skips members who are not available, and assigns a conversation reopened unassigned', async () => {
    await setAvailable(ben, false);
    await customerWrites('15550000205', 'Hi');
    expect(await assigneeOf('15550000205')).toBe(ada.userId);

    let conversation = await conversationOf('15550000205');
    const unassigned = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: null },
      { cookie: owner.token },
    );
    const resolved = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: unassigned.data.version, status: 'resolved' },
      { cookie: owner.token },
    );
    expect(resolved.data.assignedUserId).toBeNull();
    await customerWrites('15550000205', 'Me again');
    expect(await assigneeOf('15550000205')).toBe(ada.userId);
    conversation = await conversationOf('15550000205');
    expect(conversation.status).toBe('open');

    // An agent reopening it unassigned: round robin answers in the same request.
    const unassignedAgain = await call(
      parley.app,
      'mutation',
      'conversation.assign',
      { id: conversation.id, version: conversation.version, userId: null },
      { cookie: owner.token },
    );
    const resolvedAgain = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: unassignedAgain.data.version, status: 'resolved' },
      { cookie: owner.token },
    );
    const reopened = await call(
      parley.app,
      'mutation',
      'conversation.setStatus',
      { id: conversation.id, version: resolvedAgain.data.version, status: 'open' },
      { cookie: owner.token },
    );
    expect(reopened.data).toMatchObject({ status: 'open', assignedUserId: ada.userId });
    await setAvailable(ben, true);
  });

  it('two workers assigning at once take turns on the cursor: two conversations, two different agents', async () => {
    const numberId = await phoneNumberUuid();
    // Conversations opened while the rule is off stay unassigned…
    await call(
      parley.app,
      'mutation',
      'autoAssign.setRule',
      { phoneNumberId: numberId, enabled: false },
      { cookie: owner.token },
    );
    await customerWrites('15550000301', 'one');
    await customerWrites('15550000302', 'two');
    const first = await conversationOf('15550000301');
    const second = await conversationOf('15550000302');
    expect([first.assignedUserId, second.assignedUserId]).toEqual([null, null]);
    await call(
      parley.app,
      'mutation',
      'autoAssign.setRule',
      { phoneNumberId: numberId, enabled: true },
      { cookie: owner.token },
    );

    // …then two writers open one each at the same moment (each marks its conversation due and runs
    // round robin before committing, as webhook processing does): the first holds the rule's cursor
    // until it commits, the second waits for it and gives the next turn to the other agent.
    const pool = parley.app.services.pools.app;
    const open = (id: string) =>
      sql.unsafe`update app_public.conversations set auto_assign_due = true where id = ${id}`;
    let releaseFirst = () => {};
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstAssigned: () => void = () => {};
    const firstDidAssign = new Promise<void>((resolve) => (firstAssigned = resolve));
    const one = withTenant(pool, owner.tenantId, async (tx) => {
      await tx.query(open(first.id));
      const rows = await assignDueConversations(tx, [first.id]);
      firstAssigned();
      await firstHolds;
      return rows;
    });
    await firstDidAssign;
    let secondDone = false;
    const two = withTenant(pool, owner.tenantId, async (tx) => {
      await tx.query(open(second.id));
      const rows = await assignDueConversations(tx, [second.id]);
      secondDone = true;
      return rows;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(secondDone).toBe(false); // waiting for the first writer's turn
    releaseFirst();
    const [a, b] = await Promise.all([one, two]);
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(a[0]?.userId).not.toBe(b[0]?.userId);
    expect(new Set([a[0]?.userId, b[0]?.userId])).toEqual(new Set([ada.userId, ben.userId]));
  });

  it('a conversation nobody is available for waits, and goes to the first member who becomes available', async () => {
    await setAvailable(ada, false);
    await setAvailable(ben, false);
    await customerWrites('15550000401', 'Anyone there?');
    expect((await conversationOf('15550000401')).assignedUserId).toBeNull();
    await setAvailable(ben, true);
    expect((await conversationOf('15550000401')).assignedUserId).toBe(ben.userId);
    await setAvailable(ada, true);
  });

  it('skips an available member who is not connected (no tab open); connecting takes what waited', async () => {
    await disconnect(ada);
    await disconnect(ben);
    await customerWrites('15550000501', 'Hello?');
    expect((await conversationOf('15550000501')).assignedUserId).toBeNull();
    // The owner is connected but not available: still nobody's.
    await connect(owner);
    await customerWrites('15550000502', 'Hello??');
    expect((await conversationOf('15550000502')).assignedUserId).toBeNull();
    // Ben opens the inbox: both waiting conversations are his at once, in the same request.
    await connect(ben);
    expect((await conversationOf('15550000501')).assignedUserId).toBe(ben.userId);
    expect((await conversationOf('15550000502')).assignedUserId).toBe(ben.userId);
    // A connected but away tab (a background tab) still takes turns: notifications reach it.
    const adaTab = crypto.randomUUID();
    tabs.set(ada.userId, adaTab);
    await call(
      parley.app,
      'mutation',
      'presence.update',
      { tabId: adaTab, status: 'away', conversationId: null, typing: false },
      { cookie: ada.token },
    );
    await customerWrites('15550000503', 'Hi');
    await customerWrites('15550000504', 'Hi');
    expect(new Set([await assigneeOf('15550000503'), await assigneeOf('15550000504')])).toEqual(
      new Set([ada.userId, ben.userId]),
    );
  });

  it('rules are per number: each has its own team and its own turns, fair over many conversations', async () => {
    // Heartbeats, as open tabs send them (a slow run could outlive the presence TTL).
    await connect(ada);
    await connect(ben);
    const second = await connectTestChannel(parley.app, owner.tenantId, {
      wabaId: '310000000000002',
      phoneNumberId: '420000000000002',
      displayPhoneNumber: '15550102020',
    });
    const numbers = await call(parley.app, 'query', 'autoAssign.rules', undefined, { cookie: owner.token });
    const secondRule = numbers.data.find((r) => r.displayPhoneNumber === '15550102020');
    const firstRule = numbers.data.find((r) => r.displayPhoneNumber === '15550101010');
    expect(secondRule).toMatchObject({ enabled: false });
    expect(firstRule).toMatchObject({ enabled: true });
    // The second number: round robin among team "Returns", whose only member is Ben.
    const team = await call(
      parley.app,
      'mutation',
      'team.create',
      { name: 'Returns' },
      { cookie: owner.token },
    );
    await call(
      parley.app,
      'mutation',
      'team.setMember',
      { teamId: team.data.id, userId: ben.userId, member: true },
      { cookie: owner.token },
    );
    await call(
      parley.app,
      'mutation',
      'autoAssign.setRule',
      { phoneNumberId: secondRule?.phoneNumberId, enabled: true, teamId: team.data.id },
      { cookie: owner.token },
    );
    // Twelve customers write to each number at once (concurrent deliveries and workers).
    const firstNumber = Array.from({ length: 12 }, (_, i) => `1555000060${String(i).padStart(2, '0')}`);
    const secondNumber = Array.from({ length: 12 }, (_, i) => `1555000070${String(i).padStart(2, '0')}`);
    await Promise.all([
      ...firstNumber.map((from) => customerWrites(from, 'first number')),
      ...secondNumber.map((from) => writesToSecondNumber(second, from)),
    ]);
    const firstAssignees = await Promise.all(firstNumber.map(assigneeOf));
    const secondAssignees = await Promise.all(secondNumber.map(assigneeOf));
    // Fair on the first number: six each, whatever order the workers took them in.
    expect(firstAssignees.filter((id) => id === ada.userId)).toHaveLength(6);
    expect(firstAssignees.filter((id) => id === ben.userId)).toHaveLength(6);
    // The second number's team is Ben alone; its turns did not move the first number's cursor.
    expect(new Set(secondAssignees)).toEqual(new Set([ben.userId]));
    const conversation = await conversationOf(secondNumber[0] ?? '');
    expect(conversation.assignedTeamId).toBe(team.data.id);
  });

  it('settings: admins list rules per number; agents cannot change them; a viewer cannot be available', async () => {
    const rules = await call(parley.app, 'query', 'autoAssign.rules', undefined, { cookie: owner.token });
    expect(rules.data).toEqual([
      expect.objectContaining({ displayPhoneNumber: '15550101010', enabled: true, teamId: null }),
      expect.objectContaining({ displayPhoneNumber: '15550102020', enabled: true }),
    ]);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'autoAssign.setRule',
          { phoneNumberId: rules.data[0]?.phoneNumberId, enabled: false },
          { cookie: ada.token },
        )
      ).status,
    ).toBe(403);
    expect((await setAvailable(viewer, true)).status).toBe(403);
    const mine = await call(parley.app, 'query', 'autoAssign.availability', undefined, { cookie: ada.token });
    expect(mine.data.available).toBe(true);
  });
});
