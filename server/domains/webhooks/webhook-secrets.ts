import { createHmac, timingSafeEqual } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Keyring } from '../../crypto/keyring.ts';
import { LruCache } from './lru.ts';

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

/** The shape of every app key Parley issues (channels.app_key's check): anything else is unknown without asking. */
export const appKeyPattern = /^[a-z0-9]{20,40}$/;

/**
 * A keyed hash of an app secret, stored beside its ciphertext, so routing can tell whether two
 * channels share a Meta app secret without decrypting anything (each ciphertext is bound to its own
 * channel, so ciphertexts cannot be compared). Keyed with a fixed, Parley-specific key rather than
 * an encryption key: fingerprints then survive key rotation, and Meta's app secrets are 128-bit
 * random values, so the hash reveals nothing a guess could confirm.
 */
export function appSecretFingerprint(appSecret: string): Buffer {
  return createHmac('sha256', 'parley:webhook-app-secret-fingerprint:v1').update(appSecret).digest();
}

/**
 * The decrypted webhook secrets per app key, cached briefly: ingest must not pay a database round trip
 * and a decryption per POST, and a rotated secret takes effect within the TTL. Bounded (LRU), since
 * anyone can make up app keys; a key Parley could not have issued costs no query at all.
 */
export class WebhookSecretCache {
  private readonly entries: LruCache<WebhookSecrets | null>;
  private readonly pool: DatabasePool;
  private readonly keyring: Keyring;
  private readonly ttlMs: number;

  constructor(pool: DatabasePool, keyring: Keyring, ttlMs = 30_000, maxEntries = 10_000) {
    this.pool = pool;
    this.keyring = keyring;
    this.ttlMs = ttlMs;
    this.entries = new LruCache(maxEntries);
  }

  get size(): number {
    return this.entries.size;
  }

  async get(appKey: string): Promise<WebhookSecrets | null> {
    if (!appKeyPattern.test(appKey)) return null;
    const cached = this.entries.get(appKey);
    if (cached) return cached.value;
    const row = await this.pool.maybeOne(
      sql.type(secretRow)`select * from app_public.channel_webhook_secrets(${appKey})`,
    );
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
    this.entries.set(appKey, value, value ? this.ttlMs : 2_000);
    return value;
  }
}

export function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
