import { hash, type Algorithm, type Version } from '@node-rs/argon2';

// OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane.
const options = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, options);
}

const algorithms: Record<string, Algorithm> = { argon2d: 0, argon2i: 1, argon2id: 2 };
const versions: Record<string, Version> = { '16': 0, '19': 1 };
const challengePattern = /^\$(argon2(?:d|i|id))\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)$/;

/**
 * The stored hash `password` would have, given the stored hash's parameters and salt (a challenge
 * from app_public.login_challenge). The database compares it with the stored one itself, so the
 * stored hash never leaves the database. A challenge we cannot read yields a hash that matches nothing.
 */
export async function candidateHash(challenge: string, password: string): Promise<string> {
  const match = challengePattern.exec(challenge);
  const algorithm = algorithms[match?.[1] ?? ''];
  const version = versions[match?.[2] ?? ''];
  if (!match || algorithm === undefined || version === undefined) {
    await hashPassword(password); // the same work either way
    return '!';
  }
  return hash(password, {
    algorithm,
    version,
    memoryCost: Number(match[3]),
    timeCost: Number(match[4]),
    parallelism: Number(match[5]),
    salt: Buffer.from(match[6] ?? '', 'base64'),
  });
}
