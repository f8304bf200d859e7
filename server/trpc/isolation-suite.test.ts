import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { buildTestApp } from '../test/app.ts';
import { setupTestDatabase } from '../test/db.ts';
import { call } from '../test/http-client.ts';
import { listProcedures, sampleInput } from '../test/procedures.ts';

/**
 * The cross-tenant attack suite: tenant B calls every procedure of the router (found by enumeration,
 * so new procedures are covered automatically) with every id that belongs to tenant A, over real
 * HTTP, as B's owner and as B's most powerful API key. Afterwards nothing of A may have changed, and
 * no response may have carried anything of A.
 */
const db = setupTestDatabase();
let app: FastifyInstance;
let a: SignedUp;
let aTeammate: SignedUp;
let b: SignedUp;
let bKey = '';
const secretsOfA: string[] = [];
let idsOfA: string[] = [];

beforeAll(async () => {
  app = await buildTestApp(db.url);
  a = await signUpViaHttp(app, { workspaceName: 'Alpha Secrets Inc', displayName: 'Alice Alpha' });
  // A has one of everything: a second member, a pending invitation, an API key.
  const invite = await call<{ id: string; link: string }>(
    app,
    'mutation',
    'invitation.create',
    { email: 'pending.alpha@example.test', role: 'agent' },
    { cookie: a.token },
  );
  const joinInvite = await call<{ link: string }>(
    app,
    'mutation',
    'invitation.create',
    { email: 'teammate.alpha@example.test', role: 'admin' },
    { cookie: a.token },
  );
  aTeammate = await signUpViaHttp(app, {
    invitationToken: joinInvite.data.link.split('/invite/')[1] ?? '',
    displayName: 'Tom Alphateam',
  });
  const key = await call<{ apiKey: { id: string; prefix: string }; token: string }>(
    app,
    'mutation',
    'apiKey.create',
    { name: 'Alpha CRM', scopes: ['read'] },
    { cookie: a.token },
  );
  idsOfA = [a.tenantId, a.userId, aTeammate.userId, invite.data.id, key.data.apiKey.id];
  secretsOfA.push(
    ...idsOfA,
    'Alpha Secrets Inc',
    'Alice Alpha',
    'Tom Alphateam',
    a.email,
    aTeammate.email,
    'pending.alpha@example.test',
    'Alpha CRM',
    key.data.apiKey.prefix,
  );

  b = await signUpViaHttp(app, { workspaceName: 'Beta Corp' });
  const bKeyResult = await call<{ token: string }>(
    app,
    'mutation',
    'apiKey.create',
    { name: 'Beta all', scopes: ['read', 'write', 'manage'] },
    { cookie: b.token },
  );
  bKey = bKeyResult.data.token;
});
afterAll(async () => {
  await app.close();
});

/** Everything stored about tenant A, as one comparable value. */
async function snapshotOfA(): Promise<unknown> {
  const json = z.object({ snapshot: z.unknown() });
  return db.pools.owner.oneFirst(sql.type(json)`
    select jsonb_build_object(
      'tenant', (select to_jsonb(t) from app_private.tenants t where t.id = ${a.tenantId}),
      'memberships', (select jsonb_agg(m order by m.user_id) from app_public.memberships m where m.tenant_id = ${a.tenantId}),
      'invitations', (select jsonb_agg(i order by i.id) from app_public.invitations i where i.tenant_id = ${a.tenantId}),
      'apiKeys', (select jsonb_agg(k order by k.id) from app_public.api_keys k where k.tenant_id = ${a.tenantId}),
      'users', (select jsonb_agg(u order by u.id) from app_private.users u where u.id in (${a.userId}, ${aTeammate.userId})),
      'sessions', (select count(*) from app_private.sessions s where s.user_id in (${a.userId}, ${aTeammate.userId}))
    ) as snapshot
  `);
}

describe('tenant B against tenant A', () => {
  // Procedures whose purpose is to act across workspaces by a secret the caller holds (not an id).
  const byDesign = new Set(['auth.signUp', 'auth.logIn', 'auth.requestPasswordReset', 'auth.resetPassword']);
  const procedures = listProcedures().filter((p) => !byDesign.has(p.path));

  it('covers every procedure of the router', () => {
    expect(procedures.length + byDesign.size).toBe(listProcedures().length);
    expect(procedures.length).toBeGreaterThan(20);
  });

  for (const procedure of procedures) {
    it(`${procedure.path} reads and changes nothing of A`, async () => {
      const before = await snapshotOfA();
      const inputs = procedure.input ? idsOfA.map((id) => sampleInput(procedure.input, id)) : [undefined];
      for (const input of inputs) {
        for (const as of [{ cookie: b.token }, { bearer: bKey }]) {
          const result = await call(
            app,
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

describe('the database without a tenant in scope', () => {
  it('shows parley_app zero rows in every app_public table, even when they hold rows', async () => {
    const tables = await db.pools.owner.anyFirst(sql.type(z.object({ name: z.string() }))`
      select format('%I.%I', n.nspname, c.relname) as name
      from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = 'app_public' and c.relkind in ('r', 'p')
    `);
    expect(tables.length).toBeGreaterThanOrEqual(3);
    for (const table of tables) {
      const stored = await db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from ${sql.identifier(table.split('.'))}
      `);
      const visible = await db.pools.app.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from ${sql.identifier(table.split('.'))}
      `);
      expect({ table, stored: stored > 0, visible }).toEqual({ table, stored: true, visible: 0 });
    }
  });
});
