import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { staticClient } from './static-client.ts';

const page = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
let app: FastifyInstance;
let root: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'parley-client-'));
  fs.mkdirSync(path.join(root, 'assets'));
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><div id="root"></div>');
  fs.writeFileSync(path.join(root, 'assets', 'InboxPage-abc123.js'), 'export {};');
  app = Fastify();
  await app.register(staticClient, { root });
  app.get('/healthz', () => ({ status: 'ok' }));
});
afterAll(async () => {
  await app.close();
  fs.rmSync(root, { recursive: true, force: true });
});

const get = (url: string, headers: Record<string, string> = page) =>
  app.inject({ method: 'GET', url, headers });

describe('the web app’s addresses are served the app (deep links, reloads, emailed links)', () => {
  it.each([
    '/',
    '/inbox',
    '/inbox/01900000-0000-7000-8000-000000000001',
    '/channels',
    '/webhook-log/01900000-0000-7000-8000-000000000002?status=failed',
    '/login?next=%2Finbox',
    '/invite/abcdefghijklmnopqrstuvwxyz234567',
    '/reset-password?token=abcdefghijklmnopqrstuvwxyz234567',
  ])('%s is index.html, never cached', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.body).toContain('<div id="root">');
  });

  it('serves hashed chunks as immutable files', async () => {
    const response = await get('/assets/InboxPage-abc123.js', { accept: '*/*' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['cache-control']).toContain('immutable');
  });
});

describe('the server’s own paths are never answered with the app', () => {
  it.each([
    '/trpc/not.aProcedure',
    '/api/not-a-route',
    '/webhooks',
    '/webhooks/whatsapp',
    '/sandbox/graph/v25.0/nothing',
    '/healthz/deeper',
    '/readyz/deeper',
    '/media/nothing',
    // A chunk of an older build: a JSON 404, not HTML the browser would try to run as JavaScript.
    '/assets/InboxPage-old.js',
    '/assets/nothing',
  ])('%s is a JSON 404 even to a browser', async (url) => {
    const response = await get(url);
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404, error: 'Not Found' });
  });

  it('answers a page address asked for as JSON (an API client, not a browser) with a JSON 404', async () => {
    const response = await get('/inbox', { accept: 'application/json' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ statusCode: 404 });
  });

  it('answers other methods on page addresses with a JSON 404', async () => {
    const response = await app.inject({ method: 'POST', url: '/inbox', headers: page });
    expect(response.statusCode).toBe(404);
  });
});
