import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp } from '../../test/app.ts';
import { connectTestChannel, customerSends, type TestChannel } from '../../test/channels.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { call } from '../../test/http-client.ts';
import { openSse, type SseMessage, type SseStream } from '../../test/sse.ts';
import type { MemberPresence } from './schemas.ts';

/**
 * Presence between members (issue 20, item 4): each tab reports online/away, the conversation it shows
 * and typing; teammates receive the workspace's presence on events.live, from whichever server
 * process they are connected to. Ephemeral: a tab that stops reporting disappears on its own.
 */
const db = setupTestDatabase();
const ttlSeconds = 3;
let app: FastifyInstance;
let second: FastifyInstance;
let base = '';
let secondBase = '';
let ana: SignedUp;
let ben: SignedUp;
let outsider: SignedUp;
let channel: TestChannel;
let conversationId = '';
const open: SseStream[] = [];

const env = { PRESENCE_TTL_SECONDS: String(ttlSeconds) };

async function subscribe(who: SignedUp, at = base): Promise<SseStream> {
  const stream = await openSse(at, 'events.live', {}, { cookie: who.token });
  open.push(stream);
  return stream;
}

const presenceOf = (message: SseMessage) =>
  (message.data as { type?: string }).type === 'presence'
    ? (message.data as { members: MemberPresence[] }).members
    : undefined;

/** Where each stream was last matched: a wait looks at what arrived after its previous match. */
const matchedUpTo = new WeakMap<SseStream, number>();

/**
 * Waits for a presence event, after the one the previous wait on this stream matched, in which the
 * member `userId` matches (undefined: the member is absent).
 */
async function presenceWhere(
  stream: SseStream,
  userId: string,
  match: (member: MemberPresence | undefined) => boolean,
  timeoutMs = 8_000,
) {
  const from = matchedUpTo.get(stream) ?? 0;
  const found = await stream.next((message) => {
    if (stream.messages.indexOf(message) < from) return false;
    const members = presenceOf(message);
    return members !== undefined && match(members.find((m) => m.userId === userId));
  }, timeoutMs);
  matchedUpTo.set(stream, stream.messages.indexOf(found) + 1);
  return found;
}

function report(
  who: SignedUp,
  input: { tabId: string; status?: 'online' | 'away'; conversationId?: string | null; typing?: boolean },
  at = app,
) {
  return call(
    at,
    'mutation',
    'presence.update',
    { status: 'online', conversationId: null, typing: false, ...input },
    { cookie: who.token },
  );
}

beforeAll(async () => {
  app = await buildTestApp(db.url, { workers: true, env });
  second = await buildTestApp(db.url, { env });
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  secondBase = await second.listen({ port: 0, host: '127.0.0.1' });
  ana = await signUpViaHttp(app, { workspaceName: 'Presence Alpha', displayName: 'Ana' });
  const link = await call<{ link: string }>(
    app,
    'mutation',
    'invitation.create',
    { email: 'ben.presence@example.test', role: 'agent' },
    { cookie: ana.token },
  );
  ben = await signUpViaHttp(app, {
    invitationToken: link.data.link.split('/invite/')[1] ?? '',
    displayName: 'Ben',
  });
  outsider = await signUpViaHttp(app, { workspaceName: 'Presence Beta', displayName: 'Olga' });
  channel = await connectTestChannel(app, ana.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  await customerSends(app, channel, '15550004444', [
    {
      id: 'wamid.presence1',
      timestamp: `${Math.floor(Date.now() / 1000)}`,
      type: 'text',
      text: { body: 'hi' },
    },
  ]);
  const list = await call(app, 'query', 'conversation.list', {}, { cookie: ana.token });
  conversationId = list.data[0]?.id ?? '';
  expect(conversationId).not.toBe('');
});
afterAll(async () => {
  for (const stream of open) stream.close();
  await second?.close();
  await app?.close();
});

describe('presence between teammates', () => {
  it('reaches a teammate connected to another server process: online, the conversation viewed, typing', async () => {
    const bens = await subscribe(ben, secondBase);
    const tab = randomUUID();
    expect((await report(ana, { tabId: tab })).status).toBe(200);
    await presenceWhere(bens, ana.userId, (m) => m?.status === 'online' && m.viewing.length === 0);

    await report(ana, { tabId: tab, conversationId });
    await presenceWhere(
      bens,
      ana.userId,
      (m) => m?.viewing.includes(conversationId) === true && !m.typing.length,
    );

    await report(ana, { tabId: tab, conversationId, typing: true });
    await presenceWhere(bens, ana.userId, (m) => m?.typing.includes(conversationId) === true);

    await report(ana, { tabId: tab, conversationId, typing: false });
    await presenceWhere(
      bens,
      ana.userId,
      (m) => m?.typing.length === 0 && m.viewing.includes(conversationId),
    );

    await call(app, 'mutation', 'presence.leave', { tabId: tab }, { cookie: ana.token });
    await presenceWhere(bens, ana.userId, (m) => m === undefined);
  });

  it('is online while any tab is, away when every tab is away', async () => {
    const bens = await subscribe(ben);
    const [hidden, visible] = [randomUUID(), randomUUID()];
    await report(ana, { tabId: hidden, status: 'away' });
    await presenceWhere(bens, ana.userId, (m) => m?.status === 'away');
    await report(ana, { tabId: visible, status: 'online' });
    await presenceWhere(bens, ana.userId, (m) => m?.status === 'online');
    await call(app, 'mutation', 'presence.leave', { tabId: visible }, { cookie: ana.token });
    await presenceWhere(bens, ana.userId, (m) => m?.status === 'away');
    await call(app, 'mutation', 'presence.leave', { tabId: hidden }, { cookie: ana.token });
    await presenceWhere(bens, ana.userId, (m) => m === undefined);
  });

  it('is sent whole to a subscriber that joins, without an event id (nothing to resume)', async () => {
    const tab = randomUUID();
    await report(ana, { tabId: tab, conversationId });
    const late = await subscribe(ben);
    const first = await late.next((m) => presenceOf(m)?.some((p) => p.userId === ana.userId) === true);
    expect(first.id).toBeUndefined();
    expect(presenceOf(first)?.find((p) => p.userId === ana.userId)).toEqual({
      userId: ana.userId,
      status: 'online',
      viewing: [conversationId],
      typing: [],
    });
    await call(app, 'mutation', 'presence.leave', { tabId: tab }, { cookie: ana.token });
  });

  it('expires: a tab that stops reporting disappears, and typing ends on its own', async () => {
    const bens = await subscribe(ben, secondBase);
    const tab = randomUUID();
    await report(ana, { tabId: tab, conversationId, typing: true });
    await presenceWhere(bens, ana.userId, (m) => m?.typing.includes(conversationId) === true);
    const reported = performance.now();
    // No heartbeat follows: after the TTL (3 s here) Ana is gone, typing included, unannounced.
    await presenceWhere(bens, ana.userId, (m) => m === undefined, 10_000);
    expect(performance.now() - reported).toBeGreaterThan(ttlSeconds * 1000 - 500);
    const stored = await db.pools.owner.oneFirst(sql.unsafe`
      select count(*)::int from app_public.presence where user_id = ${ana.userId} and expires_at > now()`);
    expect(stored).toBe(0);
  });

  it('a heartbeat that changes nothing wakes nobody; a change does', async () => {
    const tab = randomUUID();
    const first = await withTenant(
      db.pools.app,
      ana.tenantId,
      (tx) => tx.oneFirst(sql.unsafe`select app_public.set_presence(${tab}, 'online', null, false, 30, 6)`),
      { userId: ana.userId },
    );
    const beat = await withTenant(
      db.pools.app,
      ana.tenantId,
      (tx) => tx.oneFirst(sql.unsafe`select app_public.set_presence(${tab}, 'online', null, false, 30, 6)`),
      { userId: ana.userId },
    );
    const away = await withTenant(
      db.pools.app,
      ana.tenantId,
      (tx) => tx.oneFirst(sql.unsafe`select app_public.set_presence(${tab}, 'away', null, false, 30, 6)`),
      { userId: ana.userId },
    );
    expect([first, beat, away]).toEqual([true, false, true]);
    await call(app, 'mutation', 'presence.leave', { tabId: tab }, { cookie: ana.token });
  });
});

describe('presence isolation', () => {
  it("another workspace's subscriber never receives the first workspace's presence", async () => {
    const olgas = await subscribe(outsider);
    const olgasOther = await subscribe(outsider, secondBase);
    const bens = await subscribe(ben);
    const tab = randomUUID();
    await report(ana, { tabId: tab, conversationId, typing: true });
    await presenceWhere(bens, ana.userId, (m) => m?.typing.includes(conversationId) === true);
    // Olga shows up herself, so her streams are demonstrably receiving presence.
    const olgaTab = randomUUID();
    await report(outsider, { tabId: olgaTab });
    await presenceWhere(olgas, outsider.userId, (m) => m?.status === 'online');
    await presenceWhere(olgasOther, outsider.userId, (m) => m?.status === 'online');
    for (const stream of [olgas, olgasOther]) {
      const text = JSON.stringify(stream.messages);
      for (const secret of [ana.userId, ben.userId, conversationId]) expect(text).not.toContain(secret);
    }
    await call(app, 'mutation', 'presence.leave', { tabId: tab }, { cookie: ana.token });
    await call(app, 'mutation', 'presence.leave', { tabId: olgaTab }, { cookie: outsider.token });
  });

  it('a conversation of another workspace is reported as none', async () => {
    const tab = randomUUID();
    const olgas = await subscribe(outsider);
    await report(outsider, { tabId: tab, conversationId, typing: true });
    const seen = await presenceWhere(olgas, outsider.userId, (m) => m?.status === 'online');
    expect(presenceOf(seen)?.find((m) => m.userId === outsider.userId)).toMatchObject({
      viewing: [],
      typing: [],
    });
    await call(app, 'mutation', 'presence.leave', { tabId: tab }, { cookie: outsider.token });
  });

  it('a member writes only their own presence, whatever SQL they run', async () => {
    const tab = randomUUID();
    await expect(
      withTenant(
        db.pools.app,
        ana.tenantId,
        (tx) =>
          tx.query(sql.unsafe`
            insert into app_public.presence (tenant_id, user_id, tab_id, status, expires_at)
            values (${ana.tenantId}, ${ben.userId}, ${tab}, 'online', now() + interval '1 hour')`),
        { userId: ana.userId },
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('API keys have no presence', async () => {
    const key = await call<{ token: string }>(
      app,
      'mutation',
      'apiKey.create',
      { name: 'presence probe', scopes: ['read', 'write', 'manage'] },
      { cookie: ana.token },
    );
    const answer = await call(
      app,
      'mutation',
      'presence.update',
      { tabId: randomUUID(), status: 'online', conversationId: null },
      { bearer: key.data.token },
    );
    expect(answer.status).toBe(403);
  });
});
