import { createTRPCClient, httpBatchLink, TRPCClientError } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';
import type { AppRouter } from '../trpc/router.ts';

const parley = setupTestApp({ env: { PUBLIC_URL: 'https://inbox.example.com' } });
let proxied: FastifyInstance;
beforeAll(async () => {
  proxied = await buildTestApp(parley.db.url, {
    env: { PUBLIC_URL: 'https://inbox.example.com', TRUST_PROXY: 'true' },
  });
});
afterAll(async () => {
  await proxied.close();
});

const logIn = { email: 'someone@example.test', password: 'whatever it is' };

function logInFrom(target: FastifyInstance, headers: Record<string, string>) {
  return target.inject({
    method: 'POST',
    url: '/trpc/auth.logIn',
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(logIn),
  });
}

describe('CSRF protection on mutations', () => {
  it('refuses a mutation from another origin with 403 and a tRPC error that says why', async () => {
    const result = await logInFrom(parley.app, { host: 'inbox.example.com', origin: 'https://evil.example' });
    expect(result.statusCode).toBe(403);
    const body = result.json<{ error: { message: string; data: { code: string; httpStatus: number } } }>();
    expect(body.error.data).toMatchObject({ code: 'FORBIDDEN', httpStatus: 403 });
    expect(body.error.message).toContain('https://evil.example');
  });

  it('refuses a mutation without an Origin header', async () => {
    const result = await call(parley.app, 'mutation', 'auth.logIn', logIn, { origin: null });
    expect(result.status).toBe(403);
  });

  it('lets through a mutation from PUBLIC_URL’s origin', async () => {
    const result = await call(parley.app, 'mutation', 'auth.logIn', logIn, {
      origin: 'https://inbox.example.com',
    });
    expect(result.status).toBe(401); // reached the procedure: wrong credentials, not a CSRF refusal
  });

  it.each([
    ['127.0.0.1 while PUBLIC_URL names another host', '127.0.0.1:3000', 'http://127.0.0.1:3000'],
    ['a Docker port mapping (-p 8080:3000)', 'localhost:8080', 'http://localhost:8080'],
    ['a LAN address', '192.168.1.20:3000', 'http://192.168.1.20:3000'],
  ])('lets through a browser on %s: Origin matches the Host it addressed', async (_, host, origin) => {
    const result = await logInFrom(parley.app, { host, origin });
    expect(result.statusCode).toBe(401);
  });

  it('refuses an Origin that matches the host only in another scheme or port', async () => {
    expect(
      (await logInFrom(parley.app, { host: 'localhost:8080', origin: 'http://localhost:3000' })).statusCode,
    ).toBe(403);
    expect(
      (await logInFrom(parley.app, { host: 'localhost:8080', origin: 'https://localhost:8080' })).statusCode,
    ).toBe(403);
  });

  it('ignores X-Forwarded-Host unless TRUST_PROXY is set', async () => {
    const forged = {
      host: 'inbox.example.com',
      'x-forwarded-host': 'evil.example',
      origin: 'http://evil.example',
    };
    expect((await logInFrom(parley.app, forged)).statusCode).toBe(403);
  });

  it('behind a trusted proxy, checks Origin against X-Forwarded-Proto and X-Forwarded-Host', async () => {
    const headers = {
      host: '10.0.0.5:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'chat.example.org',
    };
    expect((await logInFrom(proxied, { ...headers, origin: 'https://chat.example.org' })).statusCode).toBe(
      401,
    );
    expect((await logInFrom(proxied, { ...headers, origin: 'http://chat.example.org' })).statusCode).toBe(
      403,
    );
  });

  it('gives a tRPC client (the web app) the server’s own explanation, not a parse failure', async () => {
    const url = await parley.app.listen({ port: 0, host: '127.0.0.1' });
    const client = createTRPCClient<AppRouter>({
      links: [
        httpBatchLink({
          url: `${url}/trpc`,
          fetch: (input, init) =>
            fetch(input, { ...init, headers: { ...init?.headers, origin: 'https://evil.example' } }),
        }),
      ],
    });
    const failure = await client.auth.logIn.mutate(logIn).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(TRPCClientError);
    expect((failure as Error).message).toMatch(/^Request refused: it comes from https:\/\/evil\.example/);
  });

  it('lets through API-key calls, which a browser never sends on its own', async () => {
    const result = await call(
      parley.app,
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
    const result = await call(parley.app, 'query', 'system.info', undefined, { origin: null });
    expect(result.status).toBe(200);
  });
});
