import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Meta signs every webhook POST with `X-Hub-Signature-256: sha256=<hex>`, the lowercase hex HMAC-SHA256 of
 * the exact request bytes keyed with the app secret (Meta "Webhooks: validate payloads"). Meta escapes
 * non-ASCII as \uXXXX, so re-serialising a parsed body gives other bytes: always sign and verify raw bytes.
 */

const headerPattern = /^sha256=([0-9a-fA-F]{64})$/;

export function signWebhookBody(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

/** True only for a well-formed header whose digest matches; never throws. */
export function verifyWebhookSignature(
  appSecret: string,
  rawBody: Buffer,
  header: string | undefined,
): boolean {
  try {
    // An empty secret is a misconfigured channel, not a key: accepting it would let anyone sign.
    if (!appSecret || typeof header !== 'string') return false;
    const match = headerPattern.exec(header.trim());
    if (!match?.[1]) return false;
    const received = Buffer.from(match[1], 'hex');
    const expected = createHmac('sha256', appSecret).update(rawBody).digest();
    return received.length === expected.length && timingSafeEqual(received, expected);
  } catch {
    return false;
  }
}
