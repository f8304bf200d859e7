import { sql, type DatabaseTransactionConnection } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAdmin, parseCreateAdminArgs } from '../cli/create-admin.ts';
import { candidateHash } from '../domains/auth/passwords.ts';
import { hashToken } from '../domains/auth/tokens.ts';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';

/**
 * parley_app is not trusted with what its SECURITY DEFINER functions guard: each one gives a caller
 * no more than the secret it presents (a session token's hash, a password's argon2 output, a reset
 * token) would. Here SQL runs as parley_app directly, as an injected statement would.
 */
const parley = setupTestApp();
let user: SignedUp;
let adminId = '';
let adminSession = '';
beforeAll(async () => {
  user = await signUpViaHttp(parley.app);
  adminId = (
    await createAdmin(
      parley.db.pools.owner,
      parseCreateAdminArgs(['--email', 'root@example.test', '--password', 'operator password 1']),
    )
  ).userId;
  const login = await call(parley.app, 'mutation', 'auth.logIn', {
    email: 'root@example.test',
    password: 'operator password 1',
  });
  adminSession = hashToken(login.sessionCookie ?? '');
});

/** Runs `fn` as parley_app in a transaction that is rolled back, with app.* settings as given. */
async function asApp<T>(
  settings: Record<string, string>,
  fn: (tx: DatabaseTransactionConnection) => Promise<T>,
): Promise<T> {
  let result: T | undefined;
  await parley.db.pools.app
    .transaction(async (tx) => {
      for (const [name, value] of Object.entries(settings)) {
        await tx.query(sql.unsafe`select set_config(${name}, ${value}, true)`);
      }
      result = await fn(tx);
      throw new RolledBack();
    })
    .catch((error: unknown) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  return result as T;
}
class RolledBack extends Error {}

const forgedSession = 'f'.repeat(64);
const storedHash = (userId: string) =>
  parley.db.pools.owner.oneFirst(
    sql.type(
      z.object({ h: z.string() }),
    )`select password_hash as h from app_private.users where id = ${userId}`,
  );

describe('SECURITY DEFINER functions refuse callers without the matching secret', () => {
  it('passwords: no function hands out a stored hash; the challenge is its salt and parameters only', async () => {
    const stored = await storedHash(user.userId);
    const params = await parley.db.pools.app.oneFirst(
      sql.type(
        z.object({ params: z.string() }),
      )`select params from app_public.login_challenge(${user.email}, null)`,
    );
    expect(stored.startsWith(`${params}$`)).toBe(true);
    expect(params).not.toContain(stored.split('$').at(-1));
    // An unknown email gets a challenge of the same shape, the same every time.
    const ghost = () =>
      parley.db.pools.app.oneFirst(
        sql.type(
          z.object({ params: z.string() }),
        )`select params from app_public.login_challenge('ghost@example.test', null)`,
      );
    expect(await ghost()).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}$/);
    expect(await ghost()).toBe(await ghost());
    await expect(
      parley.db.pools.app.query(sql.unsafe`select * from app_public.login_candidate(${user.email})`),
    ).rejects.toThrow(/does not exist/);
    await expect(
      parley.db.pools.app.query(sql.unsafe`select app_public.user_password_hash(${user.userId})`),
    ).rejects.toThrow(/does not exist/);
  });

  it('sessions: only a correct password (as its argon2 output) or a new account creates one', async () => {
    const before = await parley.db.pools.owner.oneFirst(
      sql.type(
        z.object({ n: z.number() }),
      )`select count(*)::int as n from app_private.sessions where user_id = ${user.userId}`,
    );
    const wrong = await parley.db.pools.app.oneFirst(sql.type(z.object({ id: z.string().nullable() }))`
      select app_public.log_in(${user.email}, '10.99.0.1', 'not the hash', ${'a'.repeat(64)}, now() + interval '1 day', null) as id
    `);
    expect(wrong).toBeNull();
    await expect(
      parley.db.pools.app.query(
        sql.unsafe`select app_public.create_session(${'b'.repeat(64)}, ${user.userId}, now() + interval '1 day', null, null)`,
      ),
    ).rejects.toThrow(/does not exist/);
    const after = await parley.db.pools.owner.oneFirst(
      sql.type(
        z.object({ n: z.number() }),
      )`select count(*)::int as n from app_private.sessions where user_id = ${user.userId}`,
    );
    expect(after).toBe(before);
  });

  it('account functions act for the session they are given, and refuse an unknown one', async () => {
    const profile = await parley.db.pools.app.any(
      sql.unsafe`select * from app_public.user_profile(${forgedSession})`,
    );
    expect(profile).toEqual([]);
    const workspaces = await parley.db.pools.app.any(
      sql.unsafe`select * from app_public.my_workspaces(${forgedSession})`,
    );
    expect(workspaces).toEqual([]);
    for (const statement of [
      sql.unsafe`select app_public.delete_user_sessions(${forgedSession}, false)`,
      sql.unsafe`select app_public.change_password(${forgedSession}, 'x', 'y')`,
      sql.unsafe`select app_public.create_workspace(${forgedSession}, 'Hijack', 'hijack')`,
      sql.unsafe`select app_public.accept_invitation(${'c'.repeat(64)}, ${forgedSession})`,
    ]) {
      await expect(parley.db.pools.app.query(statement)).rejects.toThrow(/session has ended/);
    }
    // A user's id, which teammates see, is no longer a way in.
    await expect(
      parley.db.pools.app.query(sql.unsafe`select app_public.set_password_hash(${user.userId}, 'x')`),
    ).rejects.toThrow(/does not exist/);
  });

  it('password change needs the current password even with the session, and limits guesses', async () => {
    const stored = await storedHash(user.userId);
    const guess = () =>
      parley.db.pools.app.oneFirst(
        sql.type(z.object({ changed: z.boolean() }))`
          select app_public.change_password(${hashToken(user.token)}, 'a guess', 'new hash') as changed
        `,
      );
    for (let attempt = 0; attempt < 5; attempt++) expect(await guess()).toBe(false);
    await expect(guess()).rejects.toThrow(/Too many attempts/);
    // Even the right password is refused now, so a throttled guess reveals nothing.
    const params = await parley.db.pools.app.oneFirst(
      sql.type(
        z.object({ params: z.string() }),
      )`select params from app_public.login_challenge(${user.email}, null)`,
    );
    const right = await candidateHash(params, user.password);
    await expect(
      parley.db.pools.app.query(
        sql.unsafe`select app_public.change_password(${hashToken(user.token)}, ${right}, 'x')`,
      ),
    ).rejects.toThrow(/Too many attempts/);
    expect(await storedHash(user.userId)).toBe(stored);
  });

  it('sign-in throttling: take_tokens cannot refill a sign-in bucket', async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      await parley.db.pools.app.query(sql.unsafe`
        select app_public.log_in(${user.email}, '10.98.0.1', 'wrong', ${'e'.repeat(63) + String(attempt)}, now() + interval '1 day', null)
      `);
    }
    // What a refill through the shared bucket function would look like: a huge rate and burst.
    await parley.db.pools.app.query(
      sql.unsafe`select app_public.take_tokens(${`login:pair:${user.email}|10.98.0.1`}, 1e9, 1e9, 0)`,
    );
    const throttled = await parley.db.pools.app.oneFirst(
      sql.type(
        z.object({ throttled: z.boolean() }),
      )`select throttled from app_public.login_challenge(${user.email}, '10.98.0.1')`,
    );
    expect(throttled).toBe(true);
  });

  it('reset tokens: parley_app cannot create one, so it can never reset a password it was not mailed', async () => {
    await expect(
      parley.db.pools.app.query(
        sql.unsafe`select * from app_private.create_password_reset(${user.email}, ${'d'.repeat(64)}, now() + interval '1 hour')`,
      ),
    ).rejects.toThrow(/permission denied/);
    await expect(
      parley.db.pools.app.query(
        sql.unsafe`select * from app_public.create_password_reset(${user.email}, ${'d'.repeat(64)}, now() + interval '1 hour')`,
      ),
    ).rejects.toThrow(/does not exist/);
  });

  it('platform functions need a platform admin’s live session, not just their user id', async () => {
    const asAdminId = { 'app.user_id': adminId };
    for (const fn of ['platform_tenants', 'platform_plans']) {
      await expect(
        asApp(asAdminId, (tx) => tx.any(sql.unsafe`select * from ${sql.identifier(['app_public', fn])}()`)),
      ).rejects.toThrow(/Only platform administrators/);
    }
    await expect(
      asApp(asAdminId, (tx) =>
        tx.query(
          sql.unsafe`select app_public.platform_set_tenant_status(${user.tenantId}, true, 'hijacked')`,
        ),
      ),
    ).rejects.toThrow(/Only platform administrators/);
    // A session of someone else (not an admin) does not pass for the admin either.
    await expect(
      asApp({ ...asAdminId, 'app.session_id': hashToken(user.token) }, (tx) =>
        tx.any(sql.unsafe`select * from app_public.platform_tenants()`),
      ),
    ).rejects.toThrow(/Only platform administrators/);
    const tenants = await asApp({ ...asAdminId, 'app.session_id': adminSession }, (tx) =>
      tx.any(sql.unsafe`select * from app_public.platform_tenants()`),
    );
    expect(tenants.length).toBeGreaterThan(0);
  });
});
