import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { rotateKeys } from '../cli/rotate-keys.ts';
import { withTenant } from '../db/tx.ts';
import { readSecrets } from '../domains/channels/service.ts';
import { buildTestApp } from '../test/app.ts';
import { connectTestChannel } from '../test/channels.ts';
import { setupTestDatabase } from '../test/db.ts';
import { createTenant } from '../test/factories.ts';
import { createKeyring, generateKeySpec, KeyringError, loadKeyring } from './keyring.ts';

describe('keyring', () => {
  it('encrypts with the first key and decrypts with any key of the ring', () => {
    const oldKey = generateKeySpec('old');
    const newKey = generateKeySpec('new');
    const before = createKeyring(oldKey).encrypt('EAAG-secret-token', 'channel:1:access_token');
    const ring = createKeyring(`${newKey},${oldKey}`);
    expect(ring.activeKeyId).toBe('new');
    expect(ring.decrypt(before, 'channel:1:access_token')).toBe('EAAG-secret-token');
    const after = ring.encrypt('EAAG-secret-token', 'channel:1:access_token');
    expect(after.keyId).toBe('new');
    expect(after.data.toString('latin1')).not.toContain('EAAG');
  });

  it('refuses a ciphertext moved to another record, or altered', () => {
    const ring = createKeyring(generateKeySpec('k'));
    const sealed = ring.encrypt('secret', 'channel:1:app_secret');
    expect(() => ring.decrypt(sealed, 'channel:2:app_secret')).toThrow(KeyringError);
    const altered = Buffer.from(sealed.data);
    altered[30] = (altered[30] ?? 0) ^ 1;
    expect(() => ring.decrypt({ keyId: 'k', data: altered }, 'channel:1:app_secret')).toThrow(/altered/);
  });

  it('explains what is wrong with a bad PARLEY_ENCRYPTION_KEYS', () => {
    expect(() => createKeyring('nocolon')).toThrow(/<id>:<base64 of 32 bytes>/);
    expect(() => createKeyring(`k:${Buffer.alloc(16).toString('base64')}`)).toThrow(
      /16 bytes; AES-256 needs 32/,
    );
    expect(() => createKeyring(`${generateKeySpec('a')},${generateKeySpec('a')}`)).toThrow(/appears twice/);
    expect(() =>
      createKeyring(generateKeySpec('a')).decrypt({ keyId: 'gone', data: Buffer.alloc(40) }, 'x'),
    ).toThrow(/No encryption key "gone"/);
  });

  it('generates and keeps a key in the data directory when none is configured', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-keys-'));
    let generated = '';
    const first = loadKeyring(undefined, dir, (file) => (generated = file));
    const second = loadKeyring(undefined, dir, () => {
      throw new Error('must not generate twice');
    });
    expect(generated).toBe(path.join(dir, 'encryption-keys'));
    expect(fs.statSync(generated).mode & 0o077).toBe(0);
    expect(second.decrypt(first.encrypt('x', 'c'), 'c')).toBe('x');
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('rotate-keys', () => {
  const db = setupTestDatabase();

  it('re-encrypts every stored secret with the new active key; then the old key can go', async () => {
    const oldSpec = generateKeySpec('old');
    const newSpec = generateKeySpec('new');
    const app = await buildTestApp(db.url, { env: { PARLEY_ENCRYPTION_KEYS: oldSpec } });
    const tenant = await createTenant(db.pools.owner);
    const channel = await connectTestChannel(app, tenant.id, {
      wabaId: '311',
      phoneNumberId: '421',
      displayPhoneNumber: '1555',
    });
    await app.close();

    expect(await rotateKeys(db.pools.owner, createKeyring(`${newSpec},${oldSpec}`))).toEqual({
      reencrypted: 1,
    });
    expect(await rotateKeys(db.pools.owner, createKeyring(`${newSpec},${oldSpec}`))).toEqual({
      reencrypted: 0,
    });
    const keyIds = await db.pools.owner.one(sql.type(
      z.object({ a: z.string(), b: z.string(), c: z.string() }),
    )`
      select app_secret_key_id as a, access_token_key_id as b, verify_token_key_id as c from app_private.channel_secrets
    `);
    expect(keyIds).toEqual({ a: 'new', b: 'new', c: 'new' });

    const newOnly = await buildTestApp(db.url, { env: { PARLEY_ENCRYPTION_KEYS: newSpec } });
    try {
      const secrets = await withTenant(newOnly.services.pools.app, tenant.id, (tx) =>
        readSecrets(tx, newOnly.services, channel.channelId),
      );
      expect(secrets.accessToken).toBe('token-for-311');
    } finally {
      await newOnly.close();
    }
  });
});
