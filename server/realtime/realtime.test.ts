import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { buildTestApp } from '../test/app.ts';
import {
  connectTestChannel,
  postWebhook,
  processed,
  webhookFixture,
  type TestChannel,
} from '../test/channels.ts';
import { setupTestDatabase } from '../test/db.ts';
import { eventually } from '../test/eventually.ts';
import { call } from '../test/http-client.ts';
import { openSse, type SseMessage, type SseStream } from '../test/sse.ts';
import { pruneRealtimeEvents } from './prune.ts';
import { realtimeChannel } from './listener.ts';

/**
 * The realtime bus end to end: triggers record ids, NOTIFY wakes each node's listener, and the
 * events.live subscription (server-sent events over real HTTP) delivers them to the right members.
 */
const db = setupTestDatabase();
let app: FastifyInstance;
let second: FastifyInstance;
let base = '';
let secondBase = '';
let alpha: SignedUp;
let alphaViewer: SignedUp;
let beta: SignedUp;
let channel: TestChannel;
const open: SseStream[] = [];

const change = (kind: string) => (m: SseMessage) => (m.data as { kind?: string }).kind === kind;
const typed = (type: string) => (m: SseMessage) => (m.data as { type?: string }).type === type;

async function subscribe(who: SignedUp, lastEventId?: string, at = base): Promise<SseStream> {
  const stream = await openSse(at, 'events.live', lastEventId ? { lastEventId } : {}, { cookie: who.token });
  open.push(stream);
  return stream;
}

/** A customer's text, with its own wamid so each call makes a new message. */
let sent = 0;
async function customerWrites(text: string): Promise<void> {
  sent += 1;
  const body = webhookFixture('text.json')
    .toString()
    .replace('000000000001AA==', `${String(sent).padStart(12, '0')}RT==`)
    .replace(/"body": "[^"]*"/, `"body": ${JSON.stringify(text)}`);
  expect((await postWebhook(app, channel, body)).statusCode).toBe(200);
}

async function invite(owner: SignedUp, role: 'viewer' | 'agent' | 'admin', name: string): Promise<SignedUp> {
  const link = await call<{ link: string }>(
    app,
    'mutation',
    'invitation.create',
    { email: `${name}@example.test`, role },
    { cookie: owner.token },
  );
  return signUpViaHttp(app, {
    invitationToken: link.data.link.split('/invite/')[1] ?? '',
    displayName: name,
  });
}

beforeAll(async () => {
  app = await buildTestApp(db.url, { workers: true });
  second = await buildTestApp(db.url);
  base = await app.listen({ port: 0, host: '127.0.0.1' });
  secondBase = await second.listen({ port: 0, host: '127.0.0.1' });
  alpha = await signUpViaHttp(app, { workspaceName: 'Alpha Live' });
  alphaViewer = await invite(alpha, 'viewer', 'vera.viewer');
  beta = await signUpViaHttp(app, { workspaceName: 'Beta Live' });
  channel = await connectTestChannel(app, alpha.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
});
afterAll(async () => {
  for (const stream of open) stream.close();
  await second?.close();
  await app?.close();
});

describe('the triggers', () => {
  it('record one event per statement and tenant, with ids only, and notify once after commit', async () => {
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    const notifications: string[] = [];
    listener.on('notification', (n) => notifications.push(n.payload ?? ''));
    await listener.query(`listen ${realtimeChannel}`);
    try {
      const conversationId = await withTenant(db.pools.app, alpha.tenantId, async (tx) => {
        const contact = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
          select app_public.upsert_contact('15550009999', null, 'Batch', null) as id`);
        const conversation = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
          select app_public.upsert_conversation(${channel.phoneNumberUuid}, ${contact}) as id`);
        return conversation;
      });
      await eventually(async () => (notifications.length ? true : undefined), 'the setup notification');
      const before = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
        select coalesce(max(id), 0)::int as n from app_private.realtime_events`);
      notifications.length = 0;
      await withTenant(db.pools.app, alpha.tenantId, (tx) =>
        tx.query(sql.unsafe`
          insert into app_public.messages (tenant_id, conversation_id, wamid, direction, type, body, content, status, occurred_at)
          select ${alpha.tenantId}, ${conversationId}, 'wamid.batch' || n, 'inbound', 'text', 'secret words ' || n, '{}', 'received', now()
          from generate_series(1, 500) n
        `),
      );
      const events = await db.pools.owner.any(sql.type(
        z.object({
          tenantId: z.string(),
          kind: z.string(),
          entities: z.number(),
          conversationIds: z.array(z.string()),
        }),
      )`
        select tenant_id as "tenantId", kind, cardinality(entity_ids) as entities, conversation_ids as "conversationIds"
        from app_private.realtime_events where id > ${before} order by id`);
      expect(events).toEqual([
        {
          tenantId: alpha.tenantId,
          kind: 'message.created',
          entities: 500,
          conversationIds: [conversationId],
        },
      ]);
      await eventually(async () => (notifications.length ? true : undefined), 'the notification');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(notifications).toHaveLength(1);
      expect(notifications[0]).toMatch(new RegExp(`^${alpha.tenantId}:\\d+$`));
      // Ids only: no column of the events table can hold what the customer wrote.
      const columns = await db.pools.owner.anyFirst(sql.type(z.object({ name: z.string() }))`
        select column_name as name from information_schema.columns
        where table_schema = 'app_private' and table_name = 'realtime_events' order by ordinal_position`);
      expect(columns).toEqual([
        'tenant_id',
        'id',
        'kind',
        'entity_ids',
        'conversation_ids',
        'xid',
        'created_at',
      ]);
    } finally {
      await listener.end();
    }
  });

  it('record nothing for an update that changes nothing a member sees (a send claim)', async () => {
    const count = () =>
      db.pools.owner.oneFirst(
        sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_private.realtime_events`,
      );
    const before = await count();
    await withTenant(db.pools.app, alpha.tenantId, (tx) =>
      tx.query(
        sql.unsafe`update app_public.messages set send_claimed_until = now() where wamid = 'wamid.batch1'`,
      ),
    );
    expect(await count()).toBe(before);
  });

  it('offer a hook for later features, refused without a tenant in scope', async () => {
    await expect(
      db.pools.app.query(
        sql.unsafe`select app_public.record_realtime_event('note.created', array[gen_random_uuid()])`,
      ),
    ).rejects.toThrow(/tenant in scope/);
  });
});

describe('events.live', () => {
  it('delivers a customer message to members of the workspace live, and nothing to another workspace', async () => {
    const mine = await subscribe(alpha);
    const theirs = await subscribe(beta);
    await mine.next(typed('ready'));
    await theirs.next(typed('ready'));
    await customerWrites('Is my order on its way?');
    const created = await mine.next(change('message.created'));
    const data = created.data as {
      conversationIds: string[];
      conversations: { id: string; unreadCount: number }[];
    };
    expect(data.conversationIds).toHaveLength(1);
    // The conversation as it is after the commit, loaded under row-level security: it has a new unread message.
    expect(data.conversations[0]?.id).toBe(data.conversationIds[0]);
    expect(data.conversations[0]?.unreadCount).toBeGreaterThan(0);
    expect(JSON.stringify(mine.messages)).not.toContain('order on its way');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(theirs.messages.map((m) => m.data)).toEqual([{ type: 'ready' }]);
  });

  it('delivers to a subscriber of another server process on the same database', async () => {
    const elsewhere = await subscribe(alpha, undefined, secondBase);
    await elsewhere.next(typed('ready'));
    await customerWrites('Hello from the other node');
    await elsewhere.next(change('message.created'));
  });

  it('resumes from the last event id with what was missed, and nothing twice', async () => {
    const first = await subscribe(alpha);
    const ready = await first.next(typed('ready'));
    first.close();
    await customerWrites('While you were away');
    await processed(app);
    const resumed = await subscribe(alpha, ready.id);
    await resumed.next(change('message.created'));
    // What was missed comes first, with no 'ready': the client is not told to start over.
    expect(resumed.messages.some(typed('ready'))).toBe(false);
    await customerWrites('And now live');
    await processed(app);
    await eventually(
      async () => (resumed.messages.filter(change('message.created')).length === 2 ? true : undefined),
      'the live message after the replay',
    );
    // Changes carry ids; presence (untracked, possibly sent more than once) does not count here.
    const ids = resumed.messages.filter(typed('change')).map((m) => (m.data as { id: number }).id);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('misses nothing committed after a later event (ids are taken in insert order, not commit order)', async () => {
    const stream = await subscribe(alpha);
    await stream.next(typed('ready'));
    const slow = await db.pools.app.connect(async (connection) =>
      connection.transaction(async (tx) => {
        await tx.query(sql.unsafe`select set_config('app.tenant_id', ${alpha.tenantId}, true)`);
        const early = await tx.oneFirst(sql.type(z.object({ id: z.number() }))`
          select app_public.record_realtime_event('conversation.updated', '{}') as id`);
        // Another transaction records a later id and commits first; the subscriber gets it and leaves.
        const late = await withTenant(db.pools.app, alpha.tenantId, (other) =>
          other.oneFirst(sql.type(z.object({ id: z.number() }))`
            select app_public.record_realtime_event('conversation.created', '{}') as id`),
        );
        expect(late).toBeGreaterThan(early);
        const got = await stream.next((m) => (m.data as { id?: number }).id === late);
        stream.close();
        return { early, cursor: got.id };
      }),
    );
    const resumed = await subscribe(alpha, slow.cursor);
    await resumed.next((m) => (m.data as { id?: number }).id === slow.early);
  });

  it('tells a client whose last event is older than the events kept to resync', async () => {
    const stream = await subscribe(alpha);
    const ready = await stream.next(typed('ready'));
    stream.close();
    await withTenant(db.pools.app, alpha.tenantId, (tx) =>
      tx.query(sql.unsafe`select app_public.record_realtime_event('conversation.updated', '{}')`),
    );
    expect(await pruneRealtimeEvents(db.pools.owner, 1, new Date(Date.now() + 3_600_000))).toBeGreaterThan(0);
    const resumed = await subscribe(alpha, ready.id);
    await resumed.next(typed('resync'));
    const garbled = await subscribe(alpha, 'not-an-event-id');
    await garbled.next(typed('resync'));
  });

  it('delivers each kind only to the roles that may see it (a viewer gets no notes nor campaigns)', async () => {
    const owner = await subscribe(alpha);
    const viewer = await subscribe(alphaViewer);
    await owner.next(typed('ready'));
    await viewer.next(typed('ready'));
    await withTenant(db.pools.app, alpha.tenantId, (tx) =>
      tx.query(sql.unsafe`
        select app_public.record_realtime_event('note.created', array[gen_random_uuid()]),
               app_public.record_realtime_event('campaign.updated', array[gen_random_uuid()]),
               app_public.record_realtime_event('assignment.changed', array[gen_random_uuid()])`),
    );
    await owner.next(change('assignment.changed'));
    await viewer.next(change('assignment.changed'));
    expect(
      owner.messages.filter((m) => change('note.created')(m) || change('campaign.updated')(m)),
    ).toHaveLength(2);
    expect(
      viewer.messages.filter((m) => change('note.created')(m) || change('campaign.updated')(m)),
    ).toHaveLength(0);
  });

  it('ends when the member is removed from the workspace', async () => {
    const agent = await invite(alpha, 'agent', 'andy.agent');
    const stream = await subscribe(agent);
    await stream.next(typed('ready'));
    const removed = await call(
      app,
      'mutation',
      'member.remove',
      { userId: agent.userId },
      { cookie: alpha.token },
    );
    expect(removed.status).toBe(200);
    await stream.closed;
    expect(JSON.stringify(stream.control)).toMatch(/membership has ended/);
  });

  it('ends when the session ends (sign-out)', async () => {
    const other = await invite(alpha, 'agent', 'sid.signout');
    const stream = await subscribe(other);
    await stream.next(typed('ready'));
    await call(app, 'mutation', 'auth.logOut', undefined, { cookie: other.token });
    await app.services.realtime?.revalidateAll();
    await stream.closed;
    expect(JSON.stringify(stream.control)).toMatch(/session or membership has ended/);
  });

  it('catches up after its LISTEN connection was lost', async () => {
    const stream = await subscribe(alpha);
    await stream.next(typed('ready'));
    await db.pools.owner.query(sql.unsafe`
      select pg_terminate_backend(pid) from pg_stat_activity
      where application_name = 'parley-realtime' and datname = current_database()`);
    await customerWrites('Sent while the node was deaf');
    await stream.next(change('message.created'), 15_000);
  });
});
