import type { FastifyInstance } from 'fastify';
import { buildApp } from '../app.ts';
import { loadConfig, type Env } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { Mailer } from '../mailer.ts';

/** A fixed keyring for tests (never used outside them). */
export const testEncryptionKeys = `test1:${Buffer.alloc(32, 7).toString('base64')}`;

/** The real application on a test database, for `app.inject`; close it in afterAll. */
export async function buildTestApp(
  databaseUrl: string,
  options: { workers?: boolean; http?: boolean; env?: Env; mailer?: Mailer } = {},
): Promise<FastifyInstance> {
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
    ...options.env,
  });
  return buildApp({
    config,
    logger: createLogger(config.logLevel),
    databaseUrl,
    workers: options.workers ?? false,
    ...(options.http === false ? { http: false } : {}),
    ...(options.mailer ? { mailer: options.mailer } : {}),
  });
}
