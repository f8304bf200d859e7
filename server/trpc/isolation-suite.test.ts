import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { runAnalyticsRollup } from '../domains/analytics/service.ts';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';
import { connectTestChannel, postWebhook, processed, webhookFixture } from '../test/channels.ts';
import { withTenant } from '../db/tx.ts';
import { listProcedures, sampleInput } from '../test/procedures.ts';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { appRouter } from './router.ts';
import { openSse } from '../test/sse.ts';
import { uploadViaHttp, type StoredUpload } from '../test/media.ts';
import { importCsv, uploadCsv } from '../test/contacts.ts';

/**
 * The cross-tenant attack suite: tenant B calls every procedure of the router (found by enumeration,
 * so new procedures are covered automatically) with every id that belongs to tenant A, over real
 * HTTP, as B's owner and as B's most powerful API key. Afterwards nothing of A may have changed, and
 * no response may have carried anything of A.
 */
const parley = setupTestApp({ workers: true });
let a: SignedUp;
let aTeammate: SignedUp;
let b: SignedUp;
let bKey = '';
const secretsOfA: string[] = [];
let idsOfA: string[] = [];
let mediaOfA = '';

beforeAll(async () => {
  a = await signUpViaHttp(parley.app, { workspaceName: 'Alpha Secrets Inc', displayName: 'Alice Alpha' });
  // A has one of everything: a second member, a pending invitation, an API key.
  const invite = await call(
    parley.app,
    'mutation',
    'invitation.create',
    { email: 'pending.alpha@example.test', role: 'agent' },
    { cookie: a.token },
  );
  const joinInvite = await call(
    parley.app,
    'mutation',
    'invitation.create',
    { email: 'teammate.alpha@example.test', role: 'admin' },
    { cookie: a.token },
  );
  aTeammate = await signUpViaHttp(parley.app, {
    invitationToken: joinInvite.data.link.split('/invite/')[1] ?? '',
    displayName: 'Tom Alphateam',
  });
  const key = await call(
    parley.app,
    'mutation',
    'apiKey.create',
    { name: 'Alpha CRM', scopes: ['read'] },
    { cookie: a.token },
  );
  // …and a WhatsApp channel with a customer conversation, a reaction, statuses, a template and a webhook log.
  const channel = await connectTestChannel(parley.app, a.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  for (const name of ['text.json', 'reaction.json', 'status-sent.json', 'template-status-approved.json']) {
    expect((await postWebhook(parley.app, channel, webhookFixture(name))).statusCode).toBe(200);
  }
  await processed(parley.app);
  // …and a file an agent uploaded (media, its chunks, the workspace's storage count).
  const upload = await uploadViaHttp(
    parley.app,
    { cookie: a.token },
    {
      bytes: Buffer.from('%PDF-1.7 Alpha price list'),
      mimeType: 'application/pdf',
      filename: 'alpha-prices.pdf',
    },
  );
  expect(upload.statusCode, upload.body).toBe(201);
  mediaOfA = upload.json<StoredUpload>().id;
  // …and a team with a member, the conversation assigned to it and resolved (an activity timeline).
  const team = await call(
    parley.app,
    'mutation',
    'team.create',
    { name: 'Alpha Escalations' },
    { cookie: a.token },
  );
  await call(
    parley.app,
    'mutation',
    'team.setMember',
    { teamId: team.data.id, userId: aTeammate.userId, member: true },
    { cookie: a.token },
  );
  const [conversationOfA] = (await call(parley.app, 'query', 'conversation.list', {}, { cookie: a.token }))
    .data;
  const assigned = await call(
    parley.app,
    'mutation',
    'conversation.assign',
    {
      id: conversationOfA?.id,
      version: conversationOfA?.version,
      userId: aTeammate.userId,
      teamId: team.data.id,
    },
    { cookie: a.token },
  );
  expect(assigned.status).toBe(200);
  await call(
    parley.app,
    'mutation',
    'conversation.setStatus',
    { id: conversationOfA?.id, version: assigned.data.version, status: 'resolved' },
    { cookie: a.token },
  );
  // …and an internal note mentioning the teammate (a notification), a canned response, and round robin
  // on A's number with the teammate available.
  const note = await call(
    parley.app,
    'mutation',
    'note.create',
    { conversationId: conversationOfA?.id, body: `<@${aTeammate.userId}> Alpha refund approved` },
    { cookie: a.token },
  );
  expect(note.status).toBe(200);
  expect(
    (
      await call(
        parley.app,
        'mutation',
        'cannedResponse.create',
        { shortcut: 'alpha-hello', body: 'Alpha greetings {{contact.name}}' },
        { cookie: a.token },
      )
    ).status,
  ).toBe(200);
  expect(
    (
      await call(
        parley.app,
        'mutation',
        'autoAssign.setAvailable',
        { available: true },
        { cookie: aTeammate.token },
      )
    ).status,
  ).toBe(200);
  expect(
    (
      await call(
        parley.app,
        'mutation',
        'autoAssign.setRule',
        { phoneNumberId: channel.phoneNumberUuid, enabled: true, teamId: team.data.id },
        { cookie: a.token },
      )
    ).status,
  ).toBe(200);
  // …and a label on it, and A's read state.
  const label = await call(
    parley.app,
    'mutation',
    'label.create',
    { name: 'Alpha Whales', color: 'grape' },
    { cookie: a.token },
  );
  await call(
    parley.app,
    'mutation',
    'label.attach',
    { conversationId: conversationOfA?.id, labelId: label.data.id },
    { cookie: a.token },
  );
  await call(
    parley.app,
    'mutation',
    'conversation.markRead',
    { id: conversationOfA?.id },
    { cookie: a.token },
  );
  // …and A's teammate online in that conversation, typing, with the contact named by an agent.
  const presence = await call(
    parley.app,
    'mutation',
    'presence.update',
    {
      tabId: '0193a000-0000-7000-8000-00000000a1a1',
      status: 'online',
      conversationId: conversationOfA?.id,
      typing: true,
    },
    { cookie: aTeammate.token },
  );
  expect(presence.status).toBe(200);
  const contactOfA = (await call(parley.app, 'query', 'conversation.list', {}, { cookie: a.token })).data[0]
    ?.contact.id;
  expect(
    (
      await call(
        parley.app,
        'mutation',
        'contact.rename',
        { id: contactOfA, name: 'Maya (Alpha VIP)' },
        { cookie: a.token },
      )
    ).status,
  ).toBe(200);
  // …and the contact book: a typed attribute, an import with a bad row (its error kept), and a contact
  // erased on request (the erasure log).
  expect(
    (
      await call(
        parley.app,
        'mutation',
        'contactAttribute.create',
        { key: 'alpha_tier', label: 'Alpha tier', type: 'text' },
        { cookie: a.token },
      )
    ).status,
  ).toBe(200);
  expect(
    await importCsv(parley.app, a, 'phone,name\n+4930901820,Alpha Berlin\nnot a phone,Alpha Nobody\n'),
  ).toMatchObject({ status: 'completed', insertedRows: 1 });
  // An upload not imported yet keeps its file in chunks.
  expect((await uploadCsv(parley.app, a, 'phone\n+4930901821\n')).statusCode).toBe(201);
  const erasable = await call(
    parley.app,
    'mutation',
    'contact.create',
    { phone: '+14155552671' },
    { cookie: a.token },
  );
  expect(erasable.status).toBe(200);
  expect(
    (await call(parley.app, 'mutation', 'contact.erase', { id: erasable.data.id }, { cookie: a.token }))
      .status,
  ).toBe(200);
  // …and an audience (an uploaded list) and a campaign scheduled far ahead, with its recipient.
  const audience = await call(
    parley.app,
    'mutation',
    'segment.create',
    { kind: 'list', name: 'Alpha Audience', phones: ['+49 151 00000001'] },
    { cookie: a.token },
  );
  expect(audience.status, JSON.stringify(audience.error)).toBe(200);
  const templateOfA = (await call(parley.app, 'query', 'template.list', {}, { cookie: a.token })).data[0];
  const campaign = await call(
    parley.app,
    'mutation',
    'campaign.create',
    {
      name: 'Alpha Launch',
      phoneNumberId: channel.phoneNumberUuid,
      templateId: templateOfA?.id,
      segmentId: audience.data.segment.id,
      scheduledAt: '2099-01-01T09:00',
    },
    { cookie: a.token },
  );
  expect(campaign.status, JSON.stringify(campaign.error)).toBe(200);
  await parley.db.pools.owner.query(sql.unsafe`
    insert into app_public.campaign_recipients (tenant_id, campaign_id, contact_id)
    select m.tenant_id, ${campaign.data.id}, m.contact_id from app_public.segment_members m
  `);
  // …and analytics: hourly rollups folded from those rows and a reply wait (a delta not folded yet
  // is added where it is needed: the rollup job folds them every minute).
  await runAnalyticsRollup(parley.db.pools.owner);
  await parley.db.pools.owner.query(sql.unsafe`
    insert into app_public.analytics_durations (tenant_id, kind, conversation_id, started_at, ended_at)
    select tenant_id, 'first_response', id, now() - interval '1 minute', now()
    from app_public.conversations where tenant_id = ${a.tenantId} limit 1
  `);
  const rowIds = await withTenant(parley.app.services.pools.app, a.tenantId, (tx) =>
    tx.anyFirst(sql.type(z.object({ id: z.string() }))`
      select id::text from app_public.conversations union all select id::text from app_public.messages
      union all select id::text from app_public.contacts union all select id::text from app_public.webhook_events
      union all select id::text from app_public.templates union all select id::text from app_public.teams
      union all select id::text from app_public.conversation_activities
      union all select id::text from app_public.conversation_notes
      union all select id::text from app_public.notifications
      union all select id::text from app_public.canned_responses
      union all select id::text from app_public.labels
      union all select id::text from app_public.contact_imports
      union all select id::text from app_public.segments union all select id::text from app_public.campaigns
    `),
  );
  expect(rowIds.length).toBeGreaterThanOrEqual(5);
  idsOfA = [
    a.tenantId,
    a.userId,
    aTeammate.userId,
    invite.data.id,
    key.data.apiKey.id,
    channel.channelId,
    channel.phoneNumberUuid,
    mediaOfA,
    ...rowIds,
  ];
  secretsOfA.push(
    ...idsOfA,
    'Alpha Secrets Inc',
    'Alice Alpha',
    'Tom Alphateam',
    a.email,
    aTeammate.email,
    'pending.alpha@example.test',
    'Alpha CRM',
    'Alpha Audience',
    'Alpha Launch',
    key.data.apiKey.prefix,
    channel.appKey,
    '310000000000001',
    'Maya Lindqvist',
    'blue jacket',
    'alpha-prices.pdf',
    'Alpha Escalations',
    'Alpha VIP',
    'Alpha refund approved',
    'alpha-hello',
    'Alpha greetings',
    'Alpha Whales',
  );

  b = await signUpViaHttp(parley.app, { workspaceName: 'Beta Corp' });
  const bKeyResult = await call(
    parley.app,
    'mutation',
    'apiKey.create',
    { name: 'Beta all', scopes: ['read', 'write', 'manage'] },
    { cookie: b.token },
  );
  bKey = bKeyResult.data.token;
});

/** Everything stored about tenant A, as one comparable value. */
async function snapshotOfA(): Promise<unknown> {
  const json = z.object({ snapshot: z.unknown() });
  return parley.db.pools.owner.oneFirst(sql.type(json)`
    select jsonb_build_object(
      'tenant', (select to_jsonb(t) from app_private.tenants t where t.id = ${a.tenantId}),
      'memberships', (select jsonb_agg(m order by m.user_id) from app_public.memberships m where m.tenant_id = ${a.tenantId}),
      'invitations', (select jsonb_agg(i order by i.id) from app_public.invitations i where i.tenant_id = ${a.tenantId}),
      'apiKeys', (select jsonb_agg(k order by k.id) from app_public.api_keys k where k.tenant_id = ${a.tenantId}),
      'users', (select jsonb_agg(u order by u.id) from app_private.users u where u.id in (${a.userId}, ${aTeammate.userId})),
      'sessions', (select count(*) from app_private.sessions s where s.user_id in (${a.userId}, ${aTeammate.userId})),
      'channels', (select jsonb_agg(c order by c.id) from app_public.channels c where c.tenant_id = ${a.tenantId}),
      'secrets', (select jsonb_agg(s order by s.channel_id) from app_private.channel_secrets s where s.tenant_id = ${a.tenantId}),
      'numbers', (select jsonb_agg(n order by n.id) from app_public.phone_numbers n where n.tenant_id = ${a.tenantId}),
      'contacts', (select jsonb_agg(c order by c.id) from app_public.contacts c where c.tenant_id = ${a.tenantId}),
      'conversations', (select jsonb_agg(c order by c.id) from app_public.conversations c where c.tenant_id = ${a.tenantId}),
      'messages', (select jsonb_agg(m order by m.id) from app_public.messages m where m.tenant_id = ${a.tenantId}),
      'statuses', (select jsonb_agg(m order by m.wamid, m.status) from app_public.message_statuses m where m.tenant_id = ${a.tenantId}),
      'reactions', (select jsonb_agg(r order by r.message_wamid) from app_public.message_reactions r where r.tenant_id = ${a.tenantId}),
      'templates', (select jsonb_agg(t order by t.id) from app_public.templates t where t.tenant_id = ${a.tenantId}),
      'events', (select jsonb_agg(e order by e.id) from app_public.webhook_events e where e.tenant_id = ${a.tenantId}),
      'media', (select jsonb_agg(m order by m.id) from app_public.media m where m.tenant_id = ${a.tenantId}),
      'mediaChunks', (select jsonb_agg(c order by c.media_id, c.seq) from app_public.media_chunks c where c.tenant_id = ${a.tenantId}),
      'mediaUsage', (select jsonb_agg(u) from app_public.media_usage u where u.tenant_id = ${a.tenantId}),
      'teams', (select jsonb_agg(t order by t.id) from app_public.teams t where t.tenant_id = ${a.tenantId}),
      'teamMembers', (select jsonb_agg(m order by m.team_id, m.user_id) from app_public.team_members m where m.tenant_id = ${a.tenantId}),
      'activities', (select jsonb_agg(x order by x.id) from app_public.conversation_activities x where x.tenant_id = ${a.tenantId}),
      'presence', (select jsonb_agg(p order by p.user_id, p.tab_id) from app_public.presence p where p.tenant_id = ${a.tenantId}),
      'notes', (select jsonb_agg(x order by x.id) from app_public.conversation_notes x where x.tenant_id = ${a.tenantId}),
      'notifications', (select jsonb_agg(x order by x.id) from app_public.notifications x where x.tenant_id = ${a.tenantId}),
      'cannedResponses', (select jsonb_agg(x order by x.id) from app_public.canned_responses x where x.tenant_id = ${a.tenantId}),
      'availableMembers', (select jsonb_agg(x order by x.user_id) from app_public.available_members x where x.tenant_id = ${a.tenantId}),
      'autoAssignmentRules', (select jsonb_agg(x order by x.phone_number_id) from app_public.auto_assignment_rules x where x.tenant_id = ${a.tenantId}),
      'labels', (select jsonb_agg(l order by l.id) from app_public.labels l where l.tenant_id = ${a.tenantId}),
      'conversationLabels', (select jsonb_agg(l order by l.conversation_id, l.label_id) from app_public.conversation_labels l where l.tenant_id = ${a.tenantId}),
      'reads', (select jsonb_agg(r order by r.conversation_id, r.user_id) from app_public.conversation_reads r where r.tenant_id = ${a.tenantId})
    ) as snapshot
  `);
}

// First: the procedures below include B logging itself out.
describe("tenant B against A's media over HTTP", () => {
  it('finds none of it, with a cookie or an API key, for the file or its thumbnail', async () => {
    const before = await snapshotOfA();
    for (const url of [`/media/${mediaOfA}`, `/media/${mediaOfA}/thumbnail`]) {
      for (const headers of [{ cookie: `parley_session=${b.token}` }, { authorization: `Bearer ${bKey}` }]) {
        const answer = await parley.app.inject({ method: 'GET', url, headers });
        expect(answer.statusCode, url).toBe(404);
        expect(answer.body).not.toContain('Alpha');
      }
    }
    const own = await parley.app.inject({
      method: 'GET',
      url: `/media/${mediaOfA}`,
      headers: { cookie: `parley_session=${a.token}` },
    });
    expect(own.statusCode).toBe(200);
    expect(own.body).toBe('%PDF-1.7 Alpha price list');
    expect(await snapshotOfA()).toEqual(before);
  });
});

describe('tenant B against tenant A', () => {
  // Procedures whose purpose is to act across workspaces by a secret the caller holds (not an id).
  const byDesign = new Set(['auth.signUp', 'auth.logIn', 'auth.requestPasswordReset', 'auth.resetPassword']);
  const procedures = listProcedures().filter((p) => !byDesign.has(p.path));
  // Subscriptions stream until closed: covered below by a subscriber of B while A changes.
  const calls = procedures.filter((p) => p.type !== 'subscription');

  it('covers every procedure of the router', () => {
    expect(procedures.length + byDesign.size).toBe(listProcedures().length);
    expect(procedures.length).toBeGreaterThan(20);
    expect(procedures.filter((p) => p.type === 'subscription').map((p) => p.path)).toEqual(['events.live']);
  });

  it("events.live: B's subscribers (session or key, even claiming to resume from the first event) receive nothing of A", async () => {
    const base = await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const streams = [
      await openSse(base, 'events.live', {}, { cookie: b.token }),
      await openSse(base, 'events.live', { lastEventId: '0-0' }, { cookie: b.token }),
      await openSse(base, 'events.live', { lastEventId: '0-0' }, { bearer: bKey }),
    ];
    const ofA = await openSse(base, 'events.live', {}, { cookie: a.token });
    try {
      await ofA.next((m) => (m.data as { type?: string }).type === 'ready');
      await streams[0]?.next((m) => (m.data as { type?: string }).type === 'ready');
      // A's workspace changes while they listen: a customer writes, and A's history is all in the events table.
      const channel = await withTenant(parley.app.services.pools.app, a.tenantId, (tx) =>
        tx.one(
          sql.type(z.object({ appKey: z.string() }))`select app_key as "appKey" from app_public.channels`,
        ),
      );
      const body = webhookFixture('text.json').toString().replace('000000000001AA==', '000000000777AA==');
      expect(
        (
          await postWebhook(
            parley.app,
            { appKey: channel.appKey, appSecret: 'app-secret-310000000000001' },
            body,
          )
        ).statusCode,
      ).toBe(200);
      await ofA.next((m) => (m.data as { kind?: string }).kind === 'message.created', 15_000);
      await new Promise((resolve) => setTimeout(resolve, 300));
      for (const stream of streams) {
        const kinds = stream.messages.map((m) => (m.data as { type?: string }).type);
        // B's own workspace's presence (nobody of B is online): no member of A in it.
        expect(kinds.filter((kind) => kind !== 'ready' && kind !== 'resync' && kind !== 'presence')).toEqual(
          [],
        );
        for (const secret of secretsOfA) expect(JSON.stringify(stream.messages)).not.toContain(secret);
      }
    } finally {
      for (const stream of [...streams, ofA]) stream.close();
    }
  });

  for (const procedure of calls) {
    it(`${procedure.path} reads and changes nothing of A`, async () => {
      const before = await snapshotOfA();
      const inputs = procedure.input ? idsOfA.map((id) => sampleInput(procedure.input, id)) : [undefined];
      for (const input of inputs) {
        for (const as of [{ cookie: b.token }, { bearer: bKey }]) {
          const result = await call(
            parley.app,
            procedure.type === 'query' ? 'query' : 'mutation',
            procedure.path,
            input,
            as,
          );
          expect(result.status, `${procedure.path} ${JSON.stringify(input)}`).toBeLessThan(500);
          const body = JSON.stringify(result.data ?? null);
          for (const secret of secretsOfA) {
            if (JSON.stringify(input ?? null).includes(secret)) continue; // an echo of the caller's own input
            expect(body, `${procedure.path} leaked ${secret}`).not.toContain(secret);
          }
        }
      }
      expect(await snapshotOfA()).toEqual(before);
    });
  }
});

describe("tenant B's API key against A through the REST mirror", () => {
  const operations = listProcedures().flatMap((procedure) => {
    const meta = (appRouter._def.procedures as unknown as Record<string, { _def: { meta?: OpenApiMeta } }>)[
      procedure.path
    ]?._def.meta?.openapi;
    return meta ? [{ ...procedure, method: meta.method, route: meta.path }] : [];
  });

  it('covers the REST operations', () => {
    expect(operations.length).toBeGreaterThan(20);
  });

  for (const operation of operations) {
    it(`${operation.method} /api/v1${operation.route} reads and changes nothing of A`, async () => {
      const before = await snapshotOfA();
      for (const id of idsOfA) {
        const input = (operation.input ? sampleInput(operation.input, id) : {}) as Record<string, unknown>;
        const route = operation.route.replace(/\{(\w+)\}/g, (_, name: string) => {
          const value = input[name];
          return typeof value === 'string' ? value : id;
        });
        const withBody = !['GET', 'DELETE'].includes(operation.method);
        const query = withBody
          ? ''
          : `?${new URLSearchParams(
              Object.entries(input).flatMap(([key, value]) =>
                typeof value === 'object' && value !== null ? [] : [[key, String(value)]],
              ),
            ).toString()}`;
        const answer = await parley.app.inject({
          method: operation.method,
          url: `/api/v1${route}${query}`,
          headers: {
            authorization: `Bearer ${bKey}`,
            ...(withBody ? { 'content-type': 'application/json' } : {}),
          },
          ...(withBody ? { payload: JSON.stringify(input) } : {}),
        });
        expect(answer.statusCode, `${operation.method} ${route}: ${answer.body}`).toBeLessThan(500);
        for (const secret of secretsOfA) {
          if (JSON.stringify(input).includes(secret)) continue; // an echo of the caller's own input
          expect(answer.body, `${operation.path} leaked ${secret}`).not.toContain(secret);
        }
      }
      expect(await snapshotOfA()).toEqual(before);
    });
  }
});

describe('the database without a tenant in scope', () => {
  it('shows parley_app zero rows in every app_public table, even when they hold rows', async () => {
    const tables = await parley.db.pools.owner.anyFirst(sql.type(z.object({ name: z.string() }))`
      select format('%I.%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'app_public' and c.relkind in ('r', 'p')
    `);
    expect(tables.length).toBeGreaterThanOrEqual(3);
    await parley.db.pools.owner.query(sql.unsafe`
      insert into app_public.analytics_deltas (tenant_id, bucket, metric, value)
      values (${a.tenantId}, now(), 'contacts.created', 1)
    `);
    for (const table of tables) {
      const stored = await parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from ${sql.identifier(table.split('.'))}
      `);
      const visible = await parley.db.pools.app.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from ${sql.identifier(table.split('.'))}
      `);
      expect({ table, stored: stored > 0, visible }).toEqual({ table, stored: true, visible: 0 });
    }
  });
});
