import { describe, expect, it } from 'vitest';
import { sql } from 'slonik';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';

/**
 * Issue 22, attacks kept green — the gaps the other suites left: a session planted before sign-in
 * (fixation) never becomes a signed-in one and every sign-in gets a fresh token; a foreign origin
 * cannot write through any route kind with the victim's cookie (tRPC, REST, the two uploads), nor by
 * adding a made-up Authorization header (which skips the origin check); an admin cannot make anyone
 * owner, nor an agent itself admin.
 */
const parley = setupTestApp();
const evil = 'https://evil.example';

async function inviteAndJoin(owner: SignedUp, role: 'admin' | 'agent') {
  const invited = await call<{ link: string }>(
    parley.app,
    'mutation',
    'invitation.create',
    { email: `invitee-${role}-${Date.now()}@example.test`, role },
    { cookie: owner.token },
  );
  expect(invited.status, JSON.stringify(invited.error)).toBe(200);
  const joiner = await signUpViaHttp(parley.app);
  const accepted = await call(
    parley.app,
    'mutation',
    'invitation.accept',
    { token: invited.data.link.split('/invite/')[1] ?? '' },
    { cookie: joiner.token },
  );
  expect(accepted.status, JSON.stringify(accepted.error)).toBe(200);
  return joiner;
}

const me = async (token: string) =>
  (await call<{ user: { id: string } } | null>(parley.app, 'query', 'auth.me', undefined, { cookie: token }))
    .data;

describe('session fixation and rotation', () => {
  it('signing in with a planted cookie issues a new token; the planted one stays anonymous', async () => {
    const account = await signUpViaHttp(parley.app);
    const planted = 'abcdefghijklmnopqrstuvwxyz234567';
    const login = await call<{ user: { id: string } }>(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: account.password },
      { cookie: planted, ip: '10.22.0.1' },
    );
    expect(login.status).toBe(200);
    expect(login.sessionCookie).toMatch(/^[a-z2-7]{32}$/);
    expect(login.sessionCookie).not.toBe(planted);
    expect(await me(planted)).toBeNull();
    expect((await me(login.sessionCookie ?? ''))?.user.id).toBe(account.userId);
  });

  it('signing in again while signed in rotates the token', async () => {
    const account = await signUpViaHttp(parley.app);
    const again = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: account.password },
      { cookie: account.token, ip: '10.22.0.2' },
    );
    expect(again.status).toBe(200);
    expect(again.sessionCookie).toMatch(/^[a-z2-7]{32}$/);
    expect(again.sessionCookie).not.toBe(account.token);
  });
});

describe('writes from a foreign origin with the victim’s cookie', () => {
  it('are refused on every route kind, and store nothing', async () => {
    const victim = await signUpViaHttp(parley.app);
    const cookie = `parley_session=${victim.token}`;
    const csv = Buffer.from('phone,name\n+4915100000001,Eve\n');
    const boundary = 'parleyboundary22';
    const multipart = Buffer.concat([
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="c.csv"\r\nContent-Type: text/csv\r\n\r\n`,
      ),
      csv,
      Buffer.from(`\r\n--${boundary}--\r\n`),
    ]);
    const attempts = [
      { method: 'POST', url: '/trpc/label.create', json: { name: 'pwned', color: 'red' } },
      { method: 'POST', url: '/api/v1/messages', json: { conversationId: victim.tenantId, text: 'pwned' } },
      { method: 'POST', url: '/api/contacts/imports', multipart },
      { method: 'POST', url: '/media', multipart },
    ] as const;
    for (const attempt of attempts) {
      for (const extra of [{}, { authorization: 'Bearer not-a-key' }]) {
        const response = await parley.app.inject({
          method: attempt.method,
          url: attempt.url,
          headers: {
            cookie,
            origin: evil,
            ...extra,
            'content-type':
              'json' in attempt ? 'application/json' : `multipart/form-data; boundary=${boundary}`,
          },
          payload: 'json' in attempt ? JSON.stringify(attempt.json) : attempt.multipart,
        });
        // 403 from the origin check; with a made-up key, 401 (the key is checked, the cookie ignored).
        expect([401, 403], `${attempt.url} ${JSON.stringify(extra)}: ${response.body}`).toContain(
          response.statusCode,
        );
      }
    }
    const stored = await parley.db.pools.owner.one(sql.unsafe`
      select (select count(*) from app_public.labels where tenant_id = ${victim.tenantId})::int as labels,
             (select count(*) from app_public.contact_imports where tenant_id = ${victim.tenantId})::int as imports,
             (select count(*) from app_public.media where tenant_id = ${victim.tenantId})::int as media`);
    expect(stored).toEqual({ labels: 0, imports: 0, media: 0 });
  });
});

describe('privilege escalation', () => {
  it('an agent cannot make itself admin, an admin cannot make anyone owner nor take ownership', async () => {
    const owner = await signUpViaHttp(parley.app);
    const admin = await inviteAndJoin(owner, 'admin');
    const agent = await inviteAndJoin(owner, 'agent');
    const as = (who: SignedUp, path: 'member.changeRole' | 'member.transferOwnership', input: object) =>
      call(parley.app, 'mutation', path, input, { cookie: who.token });

    expect((await as(agent, 'member.changeRole', { userId: agent.userId, role: 'admin' })).status).toBe(403);
    for (const userId of [admin.userId, agent.userId]) {
      const status = (await as(admin, 'member.changeRole', { userId, role: 'owner' })).status;
      expect(status).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
    expect((await as(admin, 'member.transferOwnership', { userId: admin.userId })).status).toBe(403);
    const roles = await parley.db.pools.owner.anyFirst(
      sql.type(z.object({ role: z.string() }))`
        select role::text as role from app_public.memberships where tenant_id = ${owner.tenantId}`,
    );
    expect([...roles].sort()).toEqual(['admin', 'agent', 'owner']);
  });
});
