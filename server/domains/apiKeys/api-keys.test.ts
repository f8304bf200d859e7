import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';
import { hashToken } from '../auth/tokens.ts';

const parley = setupTestApp();

async function createKey(owner: SignedUp, scopes: string[], name = 'CRM sync') {
  const created = await call(
    parley.app,
    'mutation',
    'apiKey.create',
    { name, scopes },
    { cookie: owner.token },
  );
  expect(created.status, JSON.stringify(created.error)).toBe(200);
  return created.data;
}

describe('API keys', () => {
  it('are shown once at creation and stored only as a hash; the list shows the prefix', async () => {
    const owner = await signUpViaHttp(parley.app);
    const { apiKey, token } = await createKey(owner, ['read']);
    expect(token).toMatch(/^pk_[a-z0-9]{8}_[a-z2-7]{32}$/);
    expect(token.startsWith(`${apiKey.prefix}_`)).toBe(true);
    const stored = await parley.db.pools.owner.one(sql.type(z.object({ key_hash: z.string() }))`
      select key_hash from app_public.api_keys where id = ${apiKey.id}
    `);
    expect(stored.key_hash).toBe(hashToken(token));
    const list = await call(parley.app, 'query', 'apiKey.list', undefined, { cookie: owner.token });
    expect(list.data).toEqual([
      expect.objectContaining({ id: apiKey.id, prefix: apiKey.prefix, scopes: ['read'] }),
    ]);
    expect(JSON.stringify(list.data)).not.toContain(token.slice(12));
  });

  it('authenticate `Authorization: Bearer` calls for their own workspace, and record when they were used', async () => {
    const owner = await signUpViaHttp(parley.app, { workspaceName: 'Key Holder' });
    const { apiKey, token } = await createKey(owner, ['read']);
    const current = await call(parley.app, 'query', 'tenant.current', undefined, {
      bearer: token,
      origin: null,
    });
    expect(current.data).toMatchObject({ id: owner.tenantId, name: 'Key Holder' });
    const members = await call(parley.app, 'query', 'member.list', undefined, {
      bearer: token,
      origin: null,
    });
    expect(members.data.map((m) => m.userId)).toEqual([owner.userId]);
    const list = await call(parley.app, 'query', 'apiKey.list', undefined, { cookie: owner.token });
    expect(list.data.find((k) => k.id === apiKey.id)?.lastUsedAt).not.toBeNull();
  });

  it('are limited by their scopes, and never act as a user or an owner', async () => {
    const owner = await signUpViaHttp(parley.app);
    const { token: readOnly } = await createKey(owner, ['read']);
    const { token: manage } = await createKey(owner, ['read', 'write', 'manage']);
    const listInvites = (bearer: string) =>
      call(parley.app, 'query', 'invitation.list', undefined, { bearer, origin: null });
    expect((await listInvites(readOnly)).status).toBe(403);
    expect((await listInvites(readOnly)).error?.message).toBe('This API key lacks the "manage" scope.');
    expect((await listInvites(manage)).status).toBe(200);
    // Account-level powers stay with signed-in people.
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'apiKey.create',
          { name: 'x', scopes: ['read'] },
          { bearer: manage },
        )
      ).status,
    ).toBe(403);
    expect(
      (
        await call(
          parley.app,
          'mutation',
          'member.transferOwnership',
          { userId: owner.userId },
          { bearer: manage },
        )
      ).status,
    ).toBe(403);
    expect((await call(parley.app, 'query', 'auth.me', undefined, { bearer: manage })).data).toBeNull();
    expect((await call(parley.app, 'query', 'tenant.list', undefined, { bearer: manage })).status).toBe(401);
  });

  it('stop working when revoked, with a clear 401', async () => {
    const owner = await signUpViaHttp(parley.app);
    const { apiKey, token } = await createKey(owner, ['read']);
    expect(
      (await call(parley.app, 'mutation', 'apiKey.revoke', { id: apiKey.id }, { cookie: owner.token }))
        .status,
    ).toBe(200);
    const refused = await call(parley.app, 'query', 'tenant.current', undefined, { bearer: token });
    expect(refused.status).toBe(401);
    expect(refused.error?.message).toBe('Invalid or revoked API key.');
    expect(
      (await call(parley.app, 'mutation', 'apiKey.revoke', { id: apiKey.id }, { cookie: owner.token }))
        .status,
    ).toBe(404);
  });

  it('refuse malformed and unknown keys alike', async () => {
    for (const bearer of ['nonsense', 'pk_abcdefgh_bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb']) {
      const result = await call(parley.app, 'query', 'system.info', undefined, { bearer });
      expect(result.status).toBe(401);
    }
  });

  it('are bound to their workspace: another workspace’s key cannot see or revoke this one’s', async () => {
    const alice = await signUpViaHttp(parley.app);
    const bob = await signUpViaHttp(parley.app);
    const { apiKey: aliceKey } = await createKey(alice, ['read']);
    const { token: bobKey } = await createKey(bob, ['read', 'write', 'manage']);
    const bobView = await call(parley.app, 'query', 'member.list', undefined, {
      bearer: bobKey,
    });
    expect(bobView.data.map((m) => m.userId)).toEqual([bob.userId]);
    expect(
      (await call(parley.app, 'mutation', 'apiKey.revoke', { id: aliceKey.id }, { cookie: bob.token }))
        .status,
    ).toBe(404);
    const stillActive = await call(parley.app, 'query', 'apiKey.list', undefined, {
      cookie: alice.token,
    });
    expect(stillActive.data[0]?.revokedAt).toBeNull();
  });

  it('reject bad input with the field to fix', async () => {
    const owner = await signUpViaHttp(parley.app);
    const result = await call(
      parley.app,
      'mutation',
      'apiKey.create',
      { name: '', scopes: ['admin'] },
      { cookie: owner.token },
    );
    expect(result.status).toBe(400);
    const fields = (result.error?.data.zodError as { fieldErrors: Record<string, string[]> }).fieldErrors;
    expect(Object.keys(fields).sort()).toEqual(['name', 'scopes']);
  });
});
