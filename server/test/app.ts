import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll } from 'vitest';
import { buildApp } from '../app.ts';
import { loadConfig, type Env } from '../config.ts';
import { createLogger } from '../logger.ts';
import type { Mailer } from '../mailer.ts';
import { setupTestDatabase, type TestDatabase } from './db.ts';

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

export interface TestApp {
  /** This file's own database (owner and parley_app pools). */
  readonly db: TestDatabase;
  /** The application, built before the file's tests and closed after them. */
  readonly app: FastifyInstance;
}

/**
 * The usual setup of a test file in one call: its own database, the app built on it in beforeAll
 * (`prepare` then runs, e.g. to start a simulator first and pass its URL) and closed in afterAll.
 */
export function setupTestApp(
  options: Parameters<typeof buildTestApp>[1] | (() => Promise<Parameters<typeof buildTestApp>[1]>) = {},
): TestApp {
  const db = setupTestDatabase();
  let app: FastifyInstance | undefined;
  beforeAll(async () => {
    app = await buildTestApp(db.url, typeof options === 'function' ? await options() : options);
  });
  afterAll(async () => {
    await app?.close();
  });
  return {
    db,
    get app() {
      if (!app) throw new Error('the test app is built in beforeAll: read it inside tests or hooks');
      return app;
    },
  };
}
