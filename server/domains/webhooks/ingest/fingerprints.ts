import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Keyring } from '../../../crypto/keyring.ts';
import type { Logger } from '../../../logger.ts';
import { appSecretFingerprint, secretContext } from '../../channels/secrets.ts';

const row = z.object({
  channelId: z.string(),
  appSecret: z.instanceof(Buffer),
  appSecretKeyId: z.string(),
});

/**
 * Fills in the app-secret fingerprint of channels stored before fingerprints existed. Until then such
 * a channel's deliveries route only to itself (safe, but one app serving several WABAs would miss
 * its other channels), so every node does this at start; it costs one query when nothing is missing.
 */
export async function fillAppSecretFingerprints(
  owner: DatabasePool,
  keyring: Keyring,
  logger: Logger,
): Promise<number> {
  const missing = await owner.any(sql.type(row)`
    select channel_id as "channelId", app_secret as "appSecret", app_secret_key_id as "appSecretKeyId"
    from app_private.channel_secrets
    where app_secret_fingerprint is null
  `);
  let filled = 0;
  for (const secret of missing) {
    try {
      const plain = keyring.decrypt(
        { keyId: secret.appSecretKeyId, data: secret.appSecret },
        secretContext(secret.channelId, 'app_secret'),
      );
      await owner.query(sql.unsafe`
        update app_private.channel_secrets set app_secret_fingerprint = ${sql.binary(appSecretFingerprint(plain))}
        where channel_id = ${secret.channelId} and app_secret_fingerprint is null
      `);
      filled++;
    } catch (error) {
      logger.warn({ channelId: secret.channelId, err: error }, 'cannot fingerprint a channel’s app secret');
    }
  }
  return filled;
}
