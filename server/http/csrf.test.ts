import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../test/app.ts';
import { setupTestDatabase } from '../test/db.ts';
import { call } from '../test/http-client.ts';

const db = setupTestDatabase();
let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp(db.url, { env: { PUBLIC_URL: 'https://inbox.example.com' } });
});
afterAll(async () => {
  await app.close();
});

const logIn = { email: 'someone@example.test', password: 'whatever it is' };

describe('CSRF protection on mutations', () => {
  it('refuses a mutation from another origin with 403, naming the expected origin', async () => {
    const result = await app.inject({
      method: 'POST',
      url: '/trpc/auth.logIn',
      headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
      payload: JSON.stringify(logIn),
    });
    expect(result.statusCode).toBe(403);
    expect(result.json<{ message: string }>().message).toContain('https://inbox.example.com');
  });

  it('refuses a mutation without an Origin header', async () => {
    const result = await call(app, 'mutation', 'auth.logIn', logIn, { origin: null });
    expect(result.status).toBe(403);
  });

  it('lets through a mutation from Parley’s own origin', async () => {
    const result = await call(app, 'mutation', 'auth.logIn', logIn, { origin: 'https://inbox.example.com' });
    expect(result.status).toBe(401); // reached the procedure: wrong credentials, not a CSRF refusal
  });

  it('lets through API-key calls, which a browser never sends on its own', async () => {
    const result = await call(
      app,
      'mutation',
      'apiKey.revoke',
      { id: '00000000-0000-7000-8000-000000000000' },
      {
        origin: null,
        bearer: 'pk_abcdefgh_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
      },
    );
    expect(result.status).toBe(401); // unknown key: refused by authentication, not by the CSRF guard
    expect(result.error?.message).toBe('Invalid or revoked API key.');
  });

  it('leaves reads alone', async () => {
    const result = await call(app, 'query', 'system.info', undefined, { origin: null });
    expect(result.status).toBe(200);
  });
});
