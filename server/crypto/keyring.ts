import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * AES-256-GCM with a keyring: every ciphertext is stored with the id of the key that made it, new
 * ciphertexts use the first (active) key, and older keys stay available for decryption until
 * `rotate-keys` has re-encrypted everything with the active one.
 *
 * Keys come from PARLEY_ENCRYPTION_KEYS ("id:base64,id:base64", 32-byte keys, active first). Without
 * it, a key is generated once into <data dir>/encryption-keys (mode 0600), so `npm start` works; an
 * operator should move that value into the environment (or a secret store) and back it up.
 */
export interface Keyring {
  readonly activeKeyId: string;
  encrypt(plaintext: string, context: string): Sealed;
  decrypt(sealed: Sealed, context: string): string;
  has(keyId: string): boolean;
}

export interface Sealed {
  keyId: string;
  /** iv (12 bytes) ‖ auth tag (16 bytes) ‖ ciphertext */
  data: Buffer;
}

export class KeyringError extends Error {
  override name = 'KeyringError';
}

export function parseKeys(spec: string): Map<string, Buffer> {
  const keys = new Map<string, Buffer>();
  for (const part of spec
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean)) {
    const separator = part.indexOf(':');
    const id = part.slice(0, separator);
    const key = Buffer.from(part.slice(separator + 1), 'base64');
    if (separator < 1 || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new KeyringError(
        'PARLEY_ENCRYPTION_KEYS: each key must look like "<id>:<base64 of 32 bytes>", ids of letters, digits, - or _.',
      );
    }
    if (key.length !== 32)
      throw new KeyringError(`PARLEY_ENCRYPTION_KEYS: key "${id}" is ${key.length} bytes; AES-256 needs 32.`);
    if (keys.has(id)) throw new KeyringError(`PARLEY_ENCRYPTION_KEYS: key id "${id}" appears twice.`);
    keys.set(id, key);
  }
  if (keys.size === 0) throw new KeyringError('PARLEY_ENCRYPTION_KEYS holds no key.');
  return keys;
}

export function generateKeySpec(
  id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`,
): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export function createKeyring(spec: string): Keyring {
  const keys = parseKeys(spec);
  const active = [...keys.keys()][0] as string;
  return {
    activeKeyId: active,
    has: (keyId) => keys.has(keyId),
    encrypt(plaintext, context) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', keys.get(active) as Buffer, iv);
      // The context (e.g. "channel:<id>:access_token") is authenticated: a ciphertext copied to another row fails.
      cipher.setAAD(Buffer.from(context));
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return { keyId: active, data: Buffer.concat([iv, cipher.getAuthTag(), data]) };
    },
    decrypt(sealed, context) {
      const key = keys.get(sealed.keyId);
      if (!key)
        throw new KeyringError(
          `No encryption key "${sealed.keyId}" in PARLEY_ENCRYPTION_KEYS; add it back to read this secret.`,
        );
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.data.subarray(0, 12));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(sealed.data.subarray(12, 28));
      try {
        return Buffer.concat([decipher.update(sealed.data.subarray(28)), decipher.final()]).toString('utf8');
      } catch {
        throw new KeyringError(
          'A secret failed authentication: it was altered, or belongs to another record.',
        );
      }
    },
  };
}

/** The configured keys, or the generated ones kept in the data directory. */
export function loadKeyring(
  configured: string | undefined,
  dataDir: string,
  onGenerated: (file: string) => void,
): Keyring {
  if (configured) return createKeyring(configured);
  const file = path.join(dataDir, 'encryption-keys');
  if (!fs.existsSync(file)) {
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, `${generateKeySpec()}\n`, { mode: 0o600, flag: 'wx' });
    onGenerated(file);
  }
  return createKeyring(fs.readFileSync(file, 'utf8').trim());
}
