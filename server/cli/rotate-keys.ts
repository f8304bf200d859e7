import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Keyring } from '../crypto/keyring.ts';
import { secretContext } from '../domains/channels/secrets.ts';

const secretNames = ['app_secret', 'access_token', 'verify_token'] as const;

const row = z.object({
  channel_id: z.string(),
  app_secret: z.instanceof(Buffer),
  app_secret_key_id: z.string(),
  access_token: z.instanceof(Buffer),
  access_token_key_id: z.string(),
  verify_token: z.instanceof(Buffer),
  verify_token_key_id: z.string(),
});

/**
 * Re-encrypts every stored secret that is not under the active key (the first of
 * PARLEY_ENCRYPTION_KEYS). Run it after putting a new key first; once it reports 0 left, the old key
 * can be removed. One transaction: it either finishes or changes nothing.
 */
export async function rotateKeys(owner: DatabasePool, keyring: Keyring): Promise<{ reencrypted: number }> {
  return owner.transaction(async (tx) => {
    const rows = await tx.any(sql.type(row)`
      select channel_id, app_secret, app_secret_key_id, access_token, access_token_key_id, verify_token, verify_token_key_id
      from app_private.channel_secrets
      where app_secret_key_id <> ${keyring.activeKeyId}
         or access_token_key_id <> ${keyring.activeKeyId}
         or verify_token_key_id <> ${keyring.activeKeyId}
      for update
    `);
    for (const secret of rows) {
      const fresh = Object.fromEntries(
        secretNames.map((name) => {
          const context = secretContext(secret.channel_id, name);
          const plain = keyring.decrypt({ keyId: secret[`${name}_key_id`], data: secret[name] }, context);
          return [name, keyring.encrypt(plain, context)];
        }),
      ) as Record<(typeof secretNames)[number], { keyId: string; data: Buffer }>;
      await tx.query(sql.unsafe`
        update app_private.channel_secrets set
          app_secret = ${sql.binary(fresh.app_secret.data)}, app_secret_key_id = ${fresh.app_secret.keyId},
          access_token = ${sql.binary(fresh.access_token.data)}, access_token_key_id = ${fresh.access_token.keyId},
          verify_token = ${sql.binary(fresh.verify_token.data)}, verify_token_key_id = ${fresh.verify_token.keyId},
          updated_at = now()
        where channel_id = ${secret.channel_id}
      `);
    }
    return { reencrypted: rows.length };
  });
}
