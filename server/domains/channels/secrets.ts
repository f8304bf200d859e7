import { createHmac } from 'node:crypto';

/**
 * The vocabulary of a channel's stored secrets (`app_private.channel_secrets`), shared by whoever
 * encrypts them (channels, the sandbox), decrypts them (webhook ingest, the send job) or re-encrypts
 * them (`rotate-keys`).
 */

/** AAD contexts binding each ciphertext to its channel and purpose. */
export const secretContext = (channelId: string, name: 'app_secret' | 'access_token' | 'verify_token') =>
  `channel:${channelId}:${name}`;

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
