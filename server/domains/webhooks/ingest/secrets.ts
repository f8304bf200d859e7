import { timingSafeEqual } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Keyring } from '../../../crypto/keyring.ts';
import { secretContext } from '../../channels/secrets.ts';
import { LruCache } from './lru.ts';

/**
 * What the webhook route checks a request against: the channel's app secret (the POST signature) and
 * its verify token (the GET subscription handshake), looked up by the app key in the URL.
 */
export interface WebhookSecrets {
  channelId: string;
  tenantId: string;
  appSecret: string;
  verifyToken: string;
}

const secretRow = z.object({
  channelId: z.string(),
  tenantId: z.string(),
  appSecret: z.instanceof(Buffer),
  appSecretKeyId: z.string(),
  verifyToken: z.instanceof(Buffer),
  verifyTokenKeyId: z.string(),
});

/** The shape of every app key Parley issues (channels.app_key's check): anything else is unknown without asking. */
export const appKeyPattern = /^[a-z0-9]{20,40}$/;

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
    const row = await this.pool.maybeOne(sql.type(secretRow)`
      select channel_id as "channelId", tenant_id as "tenantId",
             app_secret as "appSecret", app_secret_key_id as "appSecretKeyId",
             verify_token as "verifyToken", verify_token_key_id as "verifyTokenKeyId"
      from app_public.channel_webhook_secrets(${appKey})
    `);
    const value = row
      ? {
          channelId: row.channelId,
          tenantId: row.tenantId,
          appSecret: this.keyring.decrypt(
            { keyId: row.appSecretKeyId, data: row.appSecret },
            secretContext(row.channelId, 'app_secret'),
          ),
          verifyToken: this.keyring.decrypt(
            { keyId: row.verifyTokenKeyId, data: row.verifyToken },
            secretContext(row.channelId, 'verify_token'),
          ),
        }
      : null;
    // Unknown keys are remembered for a shorter time, so a newly connected channel is found quickly.
    this.entries.set(appKey, value, value ? this.ttlMs : 2_000);
    return value;
  }
}

/** Whether the verify token of Meta's subscription handshake is the channel's (compared in constant time). */
export function verifyTokenMatches(secrets: WebhookSecrets, token: string): boolean {
  return constantTimeEquals(token, secrets.verifyToken);
}

function constantTimeEquals(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
