import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Keyring } from '../crypto/keyring.ts';
import { secretContext } from '../domains/channels/secrets.ts';

/** Each stored secret: its column (also the name its encryption is bound to) and its camelCased fields. */
const secrets = [
  { name: 'app_secret', data: 'appSecret', keyId: 'appSecretKeyId' },
  { name: 'access_token', data: 'accessToken', keyId: 'accessTokenKeyId' },
  { name: 'verify_token', data: 'verifyToken', keyId: 'verifyTokenKeyId' },
] as const;

const row = z.object({
  channelId: z.string(),
  appSecret: z.instanceof(Buffer),
  appSecretKeyId: z.string(),
  accessToken: z.instanceof(Buffer),
  accessTokenKeyId: z.string(),
  verifyToken: z.instanceof(Buffer),
  verifyTokenKeyId: z.string(),
});

/**
 * Re-encrypts every stored secret that is not under the active key (the first of
 * PARLEY_ENCRYPTION_KEYS). Run it after putting a new key first; once it reports 0 left, the old key
 * can be removed. One transaction: it either finishes or changes nothing.
 */
export async function rotateKeys(owner: DatabasePool, keyring: Keyring): Promise<{ reencrypted: number }> {
  return owner.transaction(async (tx) => {
    const rows = await tx.any(sql.type(row)`
      select channel_id as "channelId", app_secret as "appSecret", app_secret_key_id as "appSecretKeyId",
             access_token as "accessToken", access_token_key_id as "accessTokenKeyId",
             verify_token as "verifyToken", verify_token_key_id as "verifyTokenKeyId"
      from app_private.channel_secrets
      where app_secret_key_id <> ${keyring.activeKeyId}
         or access_token_key_id <> ${keyring.activeKeyId}
         or verify_token_key_id <> ${keyring.activeKeyId}
      for update
    `);
    for (const secret of rows) {
      const fresh = Object.fromEntries(
        secrets.map(({ name, data, keyId }) => {
          const context = secretContext(secret.channelId, name);
          const plain = keyring.decrypt({ keyId: secret[keyId], data: secret[data] }, context);
          return [name, keyring.encrypt(plain, context)];
        }),
      ) as Record<(typeof secrets)[number]['name'], { keyId: string; data: Buffer }>;
      await tx.query(sql.unsafe`
        update app_private.channel_secrets set
          app_secret = ${sql.binary(fresh.app_secret.data)}, app_secret_key_id = ${fresh.app_secret.keyId},
          access_token = ${sql.binary(fresh.access_token.data)}, access_token_key_id = ${fresh.access_token.keyId},
          verify_token = ${sql.binary(fresh.verify_token.data)}, verify_token_key_id = ${fresh.verify_token.keyId},
          updated_at = now()
        where channel_id = ${secret.channelId}
      `);
    }
    return { reencrypted: rows.length };
  });
}
