import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toTRPCError } from '../../db/errors.ts';
import { withTenant } from '../../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';
import { transferOwnership } from './service.ts';

/**
 * "A workspace always has an owner" reads other rows than the one a change writes, so two changes
 * in parallel transactions must not each rely on the other's owner. These tests hold one
 * transaction open at the decisive moment, run the other, then let the first commit.
 */
const parley = setupTestApp();

async function join(owner: SignedUp, role: 'admin' | 'owner') {
  const invited = await call(
    parley.app,
    'mutation',
    'invitation.create',
    { email: `joiner-${Date.now()}-${Math.random()}@example.test`, role: 'admin' },
    { cookie: owner.token },
  );
  const joiner = await signUpViaHttp(parley.app, {
    invitationToken: invited.data.link.split('/invite/')[1] ?? '',
  });
  if (role === 'owner') {
    await parley.db.pools.owner.query(
      sql.unsafe`update app_public.memberships set role = 'owner' where user_id = ${joiner.userId}`,
    );
  }
  return joiner;
}

const owners = (tenantId: string) =>
  parley.db.pools.owner.anyFirst(sql.type(z.object({ user_id: z.string() }))`
    select user_id from app_public.memberships where tenant_id = ${tenantId} and role = 'owner'
  `);

function deferred() {
  let resolve = () => {};
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * Runs `first` in a transaction that stays open after it, then `second` in another, waits until the
 * second has either finished or is blocked, and lets the first commit.
 */
async function race(
  tenantId: string,
  first: (tx: never) => Promise<unknown>,
  second: (tx: never) => Promise<unknown>,
) {
  const done = deferred();
  const commit = deferred();
  const one = withTenant(parley.db.pools.app, tenantId, async (tx) => {
    await first(tx as never);
    done.resolve();
    await commit.promise;
  });
  await done.promise;
  const two = withTenant(parley.db.pools.app, tenantId, (tx) => second(tx as never));
  await new Promise((resolve) => setTimeout(resolve, 300));
  commit.resolve();
  return Promise.allSettled([one, two]);
}

describe('a workspace keeps an owner under concurrent changes', () => {
  it('two owners leaving at once: one leaves, the other is refused', async () => {
    const a = await signUpViaHttp(parley.app);
    const b = await join(a, 'owner');
    const leave = (userId: string) => (tx: Parameters<Parameters<typeof withTenant>[2]>[0]) =>
      tx.query(sql.unsafe`delete from app_public.memberships where user_id = ${userId}`);
    const [first, second] = await race(a.tenantId, leave(a.userId), leave(b.userId));
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect(toTRPCError((second as PromiseRejectedResult).reason)?.message).toMatch(
      /needs at least one owner/,
    );
    expect(await owners(a.tenantId)).toEqual([b.userId]);
  });

  it('one owner transferring to two people at once: the second transfer is refused', async () => {
    const a = await signUpViaHttp(parley.app);
    const b = await join(a, 'admin');
    const c = await join(a, 'admin');
    const [first, second] = await race(
      a.tenantId,
      (tx) => transferOwnership(tx, a.userId, b.userId),
      (tx) => transferOwnership(tx, a.userId, c.userId),
    );
    expect(first.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    expect(await owners(a.tenantId)).toEqual([b.userId]);
  });

  it('over HTTP, both owners leaving together leaves exactly one of them', async () => {
    const a = await signUpViaHttp(parley.app);
    const b = await join(a, 'owner');
    const results = await Promise.all(
      [a, b].map((member) =>
        call(parley.app, 'mutation', 'member.leave', undefined, { cookie: member.token }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
    expect(await owners(a.tenantId)).toHaveLength(1);
  });
});
