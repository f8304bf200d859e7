import { timingSafeEqual } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Keyring } from '../../crypto/keyring.ts';

export interface WebhookSecrets {
  channelId: string;
  tenantId: string;
  appSecret: string;
  verifyToken: string;
}

const secretRow = z.object({
  channel_id: z.string(),
  tenant_id: z.string(),
  app_secret: z.instanceof(Buffer),
  app_secret_key_id: z.string(),
  verify_token: z.instanceof(Buffer),
  verify_token_key_id: z.string(),
});

/** AAD contexts binding each ciphertext to its channel and purpose. */
export const secretContext = (channelId: string, name: 'app_secret' | 'access_token' | 'verify_token') =>
  `channel:${channelId}:${name}`;

/**
 * The decrypted webhook secrets per app key, cached briefly: ingest must not pay a database round trip
 * and a decryption per POST, and a rotated secret takes effect within the TTL.
 */
export class WebhookSecretCache {
  private readonly entries = new Map<string, { value: WebhookSecrets | null; expires: number }>();
  private readonly pool: DatabasePool;
  private readonly keyring: Keyring;
  private readonly ttlMs: number;

  constructor(pool: DatabasePool, keyring: Keyring, ttlMs = 30_000) {
    this.pool = pool;
    this.keyring = keyring;
    this.ttlMs = ttlMs;
  }

  async get(appKey: string): Promise<WebhookSecrets | null> {
    const cached = this.entries.get(appKey);
    if (cached && cached.expires > Date.now()) return cached.value;
    const row = /^[a-z0-9]{20,40}$/.test(appKey)
      ? await this.pool.maybeOne(
          sql.type(secretRow)`select * from app_public.channel_webhook_secrets(${appKey})`,
        )
      : null;
    const value = row
      ? {
          channelId: row.channel_id,
          tenantId: row.tenant_id,
          appSecret: this.keyring.decrypt(
            { keyId: row.app_secret_key_id, data: row.app_secret },
            secretContext(row.channel_id, 'app_secret'),
          ),
          verifyToken: this.keyring.decrypt(
            { keyId: row.verify_token_key_id, data: row.verify_token },
            secretContext(row.channel_id, 'verify_token'),
          ),
        }
      : null;
    // Unknown keys are remembered for a shorter time, so a newly connected channel is found quickly.
    this.entries.set(appKey, { value, expires: Date.now() + (value ? this.ttlMs : 2_000) });
    return value;
  }
}

export function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
