import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formError } from '../../client/src/components/errors.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { buildTestApp } from '../test/app.ts';
import { eventually } from '../test/eventually.ts';
import { call } from '../test/http-client.ts';
import type { AppRouter } from './router.ts';

const unavailable = 'Parley cannot reach its database right now; try again in a moment.';

let dataDir: string;
let database: EmbeddedPostgres;
let app: FastifyInstance;
let member: SignedUp;
let apiKey: string;

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-trpc-outage-'));
  await fs.chmod(dataDir, 0o755);
  database = await startEmbeddedPostgres({ dataDir, databaseName: 'parley' });
  await migrateDatabase(database.url, createLogger('silent'));
  app = await buildTestApp(database.url);
  member = await signUpViaHttp(app);
  const created = await call(
    app,
    'mutation',
    'apiKey.create',
    { name: 'CRM sync', scopes: ['read'] },
    { cookie: member.token },
  );
  expect(created.status, JSON.stringify(created.error)).toBe(200);
  apiKey = created.data.token;
}, 180_000);

afterAll(async () => {
  await app?.close();
  await database?.stop();
  await fs.rm(dataDir, { recursive: true, force: true });
});

describe('tRPC calls while PostgreSQL is down', () => {
  it(
    'answer 503 SERVICE_UNAVAILABLE with a readable message, whoever calls, and work again after',
    { timeout: 180_000 },
    async () => {
      await database.stop();

      // Session lookup (context creation), API-key lookup (context creation), and a procedure's own query.
      const bySession = await call(app, 'query', 'auth.me', undefined, { cookie: member.token });
      const byApiKey = await call(app, 'query', 'conversation.list', {}, { bearer: apiKey });
      const anonymous = await call(app, 'mutation', 'auth.logIn', {
        email: member.email,
        password: member.password,
      });
      for (const outcome of [bySession, byApiKey, anonymous]) {
        expect(outcome.status).toBe(503);
        expect(outcome.error?.data.code).toBe('SERVICE_UNAVAILABLE');
        expect(outcome.error?.message).toBe(unavailable);
        // What the web app's forms show for that reply.
        const shown = formError(TRPCClientError.from<AppRouter>({ error: outcome.error }));
        expect(shown).toBe(unavailable);
      }
      const response = await app.inject({
        method: 'GET',
        url: '/trpc/auth.me',
        headers: { cookie: `parley_session=${member.token}` },
      });
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      // The session survives the outage: its cookie is not cleared as if it had ended.
      expect(bySession.sessionCookie).toBeUndefined();

      database = await startEmbeddedPostgres({ dataDir, databaseName: 'parley', port: database.port });
      await eventually(
        async () => {
          const me = await call(app, 'query', 'auth.me', undefined, { cookie: member.token });
          return me.status === 200 ? true : undefined;
        },
        'the session to work again',
        30_000,
      );
      expect((await call(app, 'query', 'conversation.list', {}, { bearer: apiKey })).status).toBe(200);
    },
  );
});
