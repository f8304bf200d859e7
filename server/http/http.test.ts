import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setupTestApp } from '../test/app.ts';

const parley = setupTestApp();

describe('health endpoints', () => {
  it('/healthz answers while the process is up', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('/readyz is 200 when the database answers as parley_app and the schema is current', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/readyz' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({
      status: 'ready',
      ready: true,
      checks: { database: true, schema: true },
    });
  });

  it('/readyz is 503 when the schema is not the one this build expects', async () => {
    const current = await parley.db.pools.owner.oneFirst(
      sql.type(z.object({ hash: z.string() }))`select hash from app_private.schema_definitions`,
    );
    await parley.db.pools.owner.query(
      sql.unsafe`update app_private.schema_definitions set hash = 'older build'`,
    );
    try {
      const response = await parley.app.inject({ method: 'GET', url: '/readyz' });
      expect(response.statusCode).toBe(503);
      expect(response.json()).toMatchObject({
        status: 'not ready',
        checks: { database: true, schema: false },
      });
    } finally {
      await parley.db.pools.owner.query(
        sql.unsafe`update app_private.schema_definitions set hash = ${current}`,
      );
    }
  });
});

describe('request ids', () => {
  it('returns a generated request id on every response', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/healthz' });
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('keeps a sane incoming x-request-id and replaces an unsafe one', async () => {
    const kept = await parley.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'edge-42.abc' },
    });
    expect(kept.headers['x-request-id']).toBe('edge-42.abc');
    const replaced = await parley.app.inject({
      method: 'GET',
      url: '/healthz',
      headers: { 'x-request-id': 'a b\nc' },
    });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('tRPC over HTTP', () => {
  it('serves system.info with the running version and Node 24', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/trpc/system.info' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      result: {
        data: {
          name: 'Parley',
          version: expect.stringMatching(/^\d+\.\d+\.\d+/),
          node: expect.stringMatching(/^v24\./),
        },
      },
    });
  });

  it('serves system.health with the same checks as /readyz', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/trpc/system.health' });
    expect(response.json()).toMatchObject({ result: { data: { ready: true } } });
  });

  it('answers an unknown procedure with a 404, not a 500', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/trpc/system.nope' });
    expect(response.statusCode).toBe(404);
  });
});

describe('unknown routes', () => {
  it('answer a JSON 404 naming the route', async () => {
    const response = await parley.app.inject({ method: 'GET', url: '/api/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({
      statusCode: 404,
      message: expect.stringContaining('/api/nothing-here'),
    });
  });
});
