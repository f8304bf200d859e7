import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { MailMessage } from '../../mailer.ts';
import { buildTestApp, setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';
import { eventually } from '../../test/eventually.ts';
import { hashToken } from './tokens.ts';

const mail: MailMessage[] = [];
// Workers on: reset emails are sent by the mail.send job.
const parley = setupTestApp({
  workers: true,
  mailer: { send: async (message) => void mail.push(message) },
});

let counter = 0;
function newAccount(overrides: Record<string, string> = {}) {
  counter++;
  return {
    email: `person${counter}-${Date.now()}@example.test`,
    password: 'correct horse battery',
    displayName: `Person ${counter}`,
    workspaceName: `Acme ${counter}`,
    ...overrides,
  };
}

async function signUp(overrides: Record<string, string> = {}) {
  const account = newAccount(overrides);
  const ip = `10.9.${counter}.1`; // sign-ups are throttled per address
  const result = await call(parley.app, 'mutation', 'auth.signUp', account, { ip });
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  if (!result.data) throw new Error('auth.signUp answered no one');
  return { ...account, me: result.data, token: result.sessionCookie ?? '', setCookie: result.setCookie };
}

const sessionRow = z.object({ id: z.string(), expires_at: z.string() });

/** The email sent to `to`, once the mail job has sent it. */
const mailTo = (to: string) =>
  eventually(async () => mail.find((message) => message.to === to), `an email to ${to}`);

const resetTokenIn = (message: MailMessage) =>
  /reset-password\?token=([a-z2-7]+)/.exec(message.text)?.[1] ?? '';

/** mail.send jobs not yet finished, or all of them (pg-boss keeps finished ones for a while). */
const mailJobs = (which: 'unfinished' | 'any') =>
  parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
    select count(*)::int as n from pgboss.job
    where name = 'mail.send' and (${which} = 'any' or state::text in ('created', 'retry', 'active'))
  `);

describe('sign-up', () => {
  it('creates the account, its workspace with the new user as owner, and a session', async () => {
    const account = await signUp({ workspaceName: 'Acme Café' });
    expect(account.me.user.email).toBe(account.email);
    expect(account.me.workspaces).toEqual([
      expect.objectContaining({ name: 'Acme Café', slug: 'acme-cafe', role: 'owner' }),
    ]);
    expect(account.me.activeTenantId).toBe(account.me.workspaces[0]?.tenantId);

    const me = await call(parley.app, 'query', 'auth.me', undefined, { cookie: account.token });
    expect(me.data?.user.id).toBe(account.me.user.id);
    expect(me.data?.activeTenantId).toBe(account.me.workspaces[0]?.tenantId);
  });

  it('sets an HttpOnly, SameSite=Lax session cookie and stores only the token’s sha256', async () => {
    const account = await signUp();
    const cookie = account.setCookie.find((c) => c.startsWith('parley_session='));
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Lax/);
    expect(cookie).not.toMatch(/Secure/); // http://localhost in tests; see the production case below
    const stored = await parley.db.pools.owner.any(sql.type(sessionRow)`
      select id, expires_at from app_private.sessions where user_id = ${account.me.user.id}
    `);
    expect(stored.map((s) => s.id)).toEqual([hashToken(account.token)]);
    expect(stored[0]?.id).not.toContain(account.token);
  });

  it('hashes the password with argon2id', async () => {
    const account = await signUp();
    const hash = await parley.db.pools.owner.oneFirst(sql.type(z.object({ h: z.string() }))`
      select password_hash as h from app_private.users where id = ${account.me.user.id}
    `);
    expect(hash).toMatch(/^\$argon2id\$/);
    expect(hash).not.toContain(account.password);
  });

  it('gives a unique address to a second workspace with the same name', async () => {
    const first = await signUp({ workspaceName: 'Twin Name' });
    const second = await signUp({ workspaceName: 'Twin Name' });
    expect(first.me.workspaces[0]?.slug).toBe('twin-name');
    expect(second.me.workspaces[0]?.slug).toMatch(/^twin-name-[0-9a-f]{6}$/);
  });

  it('refuses a taken email (any case) with 409 and says so', async () => {
    const account = await signUp();
    const again = await call(
      parley.app,
      'mutation',
      'auth.signUp',
      newAccount({ email: account.email.toUpperCase() }),
    );
    expect(again.status).toBe(409);
    expect(again.error?.message).toBe('An account with this email already exists.');
  });

  it('answers bad input with 400 and the fields to fix', async () => {
    const result = await call(parley.app, 'mutation', 'auth.signUp', {
      email: 'not-an-email',
      password: 'short',
      displayName: '',
    });
    expect(result.status).toBe(400);
    const fields = (result.error?.data.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors;
    expect(Object.keys(fields).sort()).toEqual(['displayName', 'email', 'password', 'workspaceName']);
    expect(fields.password).toEqual(['Use at least 10 characters.']);
  });
});

describe('login and logout', () => {
  it('signs in with the right password, case-insensitively by email', async () => {
    const account = await signUp();
    const login = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email.toUpperCase(), password: account.password },
      { ip: '10.1.0.1' },
    );
    expect(login.status).toBe(200);
    expect(login.data?.user.id).toBe(account.me.user.id);
    expect(login.sessionCookie).toMatch(/^[a-z2-7]{32}$/);
  });

  it('gives the same answer for a wrong password and an unknown account', async () => {
    const account = await signUp();
    const wrong = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: 'not the password' },
      { ip: '10.1.0.2' },
    );
    const unknown = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: 'nobody@example.test', password: 'whatever it is' },
      { ip: '10.1.0.2' },
    );
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    expect(wrong.error?.message).toBe('Wrong email or password.');
    expect(unknown.error?.message).toBe(wrong.error?.message);
  });

  it('throttles one address trying many accounts', async () => {
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 31; attempt++) {
      const result = await call(
        parley.app,
        'mutation',
        'auth.logIn',
        { email: `spray${attempt}@example.test`, password: 'Password123!' },
        { ip: '10.3.0.1' },
      );
      statuses.push(result.status);
    }
    expect(statuses.slice(0, 30).every((status) => status === 401)).toBe(true);
    expect(statuses[30]).toBe(429);
  });

  it('logs out: the cookie is cleared and the session no longer works', async () => {
    const account = await signUp();
    const out = await call(parley.app, 'mutation', 'auth.logOut', undefined, { cookie: account.token });
    expect(out.sessionCookie).toBe('');
    const me = await call(parley.app, 'query', 'auth.me', undefined, { cookie: account.token });
    expect(me.data).toBeNull();
  });

  it('logs out everywhere: every session of the user ends', async () => {
    const account = await signUp();
    const second = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: account.password },
      { ip: '10.4.0.1' },
    );
    const result = await call(parley.app, 'mutation', 'auth.logOutEverywhere', undefined, {
      cookie: account.token,
    });
    expect(result.data.sessionsEnded).toBe(2);
    for (const token of [account.token, second.sessionCookie]) {
      expect((await call(parley.app, 'query', 'auth.me', undefined, { cookie: token })).data).toBeNull();
    }
  });
});

describe('sessions', () => {
  const expiry = (id: string) =>
    parley.db.pools.owner.oneFirst(
      sql.type(
        z.object({ e: z.string() }),
      )`select expires_at as e from app_private.sessions where id = ${id}`,
    );

  it('slide: a session used in its second half is extended to 30 days again', async () => {
    const account = await signUp();
    const id = hashToken(account.token);
    await parley.db.pools.owner.query(
      sql.unsafe`update app_private.sessions set expires_at = now() + interval '10 days' where id = ${id}`,
    );
    const me = await call(parley.app, 'query', 'auth.me', undefined, { cookie: account.token });
    expect(me.data).not.toBeNull();
    const days = (Date.parse(await expiry(id)) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(29.9);
    expect(me.setCookie.find((c) => c.startsWith('parley_session='))).toMatch(/Expires=/);
  });

  it('end when expired: the request is anonymous and the row is gone', async () => {
    const account = await signUp();
    const id = hashToken(account.token);
    await parley.db.pools.owner.query(
      sql.unsafe`update app_private.sessions set expires_at = now() - interval '1 second' where id = ${id}`,
    );
    const me = await call(parley.app, 'query', 'auth.me', undefined, { cookie: account.token });
    expect(me.data).toBeNull();
    expect(me.sessionCookie).toBe('');
    expect(
      await parley.db.pools.owner.exists(sql.unsafe`select 1 from app_private.sessions where id = ${id}`),
    ).toBe(false);
  });

  it('ignore forged or malformed tokens', async () => {
    for (const cookie of ['x', 'a'.repeat(32), "'; drop table users; --"]) {
      const me = await call(parley.app, 'query', 'auth.me', undefined, { cookie });
      expect(me.status).toBe(200);
      expect(me.data).toBeNull();
    }
  });

  it('are Secure cookies when Parley is served over https', async () => {
    const secureApp = await buildTestApp(parley.db.url, { env: { PUBLIC_URL: 'https://inbox.example.com' } });
    try {
      const result = await call(secureApp, 'mutation', 'auth.signUp', newAccount(), {
        origin: 'https://inbox.example.com',
        ip: '10.5.0.1',
      });
      expect(result.setCookie.find((c) => c.startsWith('parley_session='))).toMatch(/Secure/);
    } finally {
      await secureApp.close();
    }
  });
});

describe('passwords', () => {
  it('change: needs the current password, ends other sessions, keeps this one', async () => {
    const account = await signUp();
    const other = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: account.password },
      { ip: '10.6.0.1' },
    );
    const wrong = await call(
      parley.app,
      'mutation',
      'auth.changePassword',
      { currentPassword: 'nope nope nope', newPassword: 'a brand new secret' },
      { cookie: account.token },
    );
    expect(wrong.status).toBe(400);
    const changed = await call(
      parley.app,
      'mutation',
      'auth.changePassword',
      { currentPassword: account.password, newPassword: 'a brand new secret' },
      { cookie: account.token },
    );
    expect(changed.status).toBe(200);
    expect(
      (await call(parley.app, 'query', 'auth.me', undefined, { cookie: account.token })).data,
    ).not.toBeNull();
    expect(
      (await call(parley.app, 'query', 'auth.me', undefined, { cookie: other.sessionCookie })).data,
    ).toBeNull();
    const login = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: 'a brand new secret' },
      { ip: '10.6.0.2' },
    );
    expect(login.status).toBe(200);
  });

  it('reset: emails a one-time link, sets the new password, and ends every session', async () => {
    const account = await signUp();
    mail.length = 0;
    const requested = await call(
      parley.app,
      'mutation',
      'auth.requestPasswordReset',
      { email: account.email },
      { ip: '10.7.0.1' },
    );
    expect(requested.data).toEqual({ ok: true });
    const sent = await mailTo(account.email);
    expect(mail).toHaveLength(1);
    const token = resetTokenIn(sent);
    expect(sent.text).toContain(`${parley.app.services.config.publicUrl}/reset-password?token=`);

    const reset = await call(parley.app, 'mutation', 'auth.resetPassword', {
      token,
      newPassword: 'reset to something new',
    });
    expect(reset.status).toBe(200);
    expect(
      (await call(parley.app, 'query', 'auth.me', undefined, { cookie: account.token })).data,
    ).toBeNull();
    const login = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: 'reset to something new' },
      { ip: '10.7.0.2' },
    );
    expect(login.status).toBe(200);

    const reused = await call(parley.app, 'mutation', 'auth.resetPassword', {
      token,
      newPassword: 'and once more again',
    });
    expect(reused.status).toBe(400);
    expect(reused.error?.message).toMatch(/invalid or has expired/);
  });

  it('reset: answers the same for an unknown email, and sends nothing', async () => {
    mail.length = 0;
    const requested = await call(
      parley.app,
      'mutation',
      'auth.requestPasswordReset',
      { email: 'ghost@example.test' },
      { ip: '10.7.1.1' },
    );
    expect(requested.status).toBe(200);
    expect(requested.data).toEqual({ ok: true });
    await eventually(async () => ((await mailJobs('unfinished')) === 0 ? true : undefined), 'the mail job');
    expect(mail).toEqual([]);
  });

  it('reset: a request does the same work whether or not the account exists, and never sends mail itself', async () => {
    // A node without workers: whatever mail gets sent here was sent by the request.
    const requestMail: MailMessage[] = [];
    const webOnly = await buildTestApp(parley.db.url, {
      mailer: { send: async (message) => void requestMail.push(message) },
    });
    try {
      const account = await signUp();
      const before = await mailJobs('any');
      for (const [email, ip] of [
        [account.email, '10.7.3.1'],
        ['nobody-here@example.test', '10.7.3.2'],
      ] as const) {
        const requested = await call(webOnly, 'mutation', 'auth.requestPasswordReset', { email }, { ip });
        expect(requested.data).toEqual({ ok: true });
      }
      expect(requestMail).toEqual([]);
      expect(await mailJobs('any')).toBe(before + 2); // one job each: the job decides, not the request
    } finally {
      await webOnly.close();
    }
  });

  it('change: outstanding reset links stop working', async () => {
    const account = await signUp();
    await call(
      parley.app,
      'mutation',
      'auth.requestPasswordReset',
      { email: account.email },
      { ip: '10.7.4.1' },
    );
    const token = resetTokenIn(await mailTo(account.email));
    const changed = await call(
      parley.app,
      'mutation',
      'auth.changePassword',
      { currentPassword: account.password, newPassword: 'changed on purpose' },
      { cookie: account.token },
    );
    expect(changed.status).toBe(200);
    const reset = await call(parley.app, 'mutation', 'auth.resetPassword', {
      token,
      newPassword: 'an attacker password',
    });
    expect(reset.status).toBe(400);
    expect(reset.error?.message).toMatch(/invalid or has expired/);
    const login = await call(
      parley.app,
      'mutation',
      'auth.logIn',
      { email: account.email, password: 'changed on purpose' },
      { ip: '10.7.4.2' },
    );
    expect(login.status).toBe(200);
  });

  it('reset: an expired link is refused', async () => {
    const account = await signUp();
    mail.length = 0;
    await call(
      parley.app,
      'mutation',
      'auth.requestPasswordReset',
      { email: account.email },
      { ip: '10.7.2.1' },
    );
    const token = resetTokenIn(await mailTo(account.email));
    await parley.db.pools.owner.query(
      sql.unsafe`update app_private.password_resets set expires_at = now() - interval '1 minute' where id = ${hashToken(token)}`,
    );
    const reset = await call(parley.app, 'mutation', 'auth.resetPassword', {
      token,
      newPassword: 'too late for this',
    });
    expect(reset.status).toBe(400);
  });
});
