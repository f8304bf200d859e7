import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createPools, type Pools } from '../db/pools.ts';
import { databaseUrl, dropDatabase, dropRole, runtimeLoginRole } from './database-urls.ts';

export interface TestDatabase {
  /** Owner (superuser in tests) connection string of this file's database. */
  url: string;
  pools: Pools;
}

async function withAdmin<T>(fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('testDatabase').adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A fresh database: a clone of the migrated template, or empty when `fromTemplate` is false. */
export async function createDatabase(
  fromTemplate = true,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const { adminUrl, template, prefix } = inject('testDatabase');
  const name = `${prefix}_${randomBytes(5).toString('hex')}`;
  await withAdmin(async (client) => {
    for (let attempt = 0; ; attempt++) {
      try {
        await client.query(`create database ${name}${fromTemplate ? ` template ${template}` : ''}`);
        return;
      } catch (error) {
        // 55006: the template is momentarily in use by a parallel clone; retry shortly.
        if ((error as { code?: string }).code !== '55006' || attempt > 50) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50 + Math.random() * 100));
      }
    }
  });
  const url = databaseUrl(adminUrl, name);
  return {
    url,
    drop: async () => {
      // Clones share the template's login role (dropped with the template); a database migrated from
      // empty made its own.
      const role = fromTemplate ? undefined : await runtimeLoginRole(url);
      await withAdmin(async (client) => {
        await dropDatabase(client, name);
        await dropRole(client, role);
      });
    },
  };
}

/**
 * Gives the calling test file its own migrated database and pools (owner + parley_app), created
 * before its tests and dropped after them. Read the fields inside tests or hooks.
 */
export function setupTestDatabase(): TestDatabase {
  const handle = {} as TestDatabase;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const database = await createDatabase();
    drop = database.drop;
    handle.url = database.url;
    handle.pools = await createPools(database.url, 10);
  });
  afterAll(async () => {
    await handle.pools?.end();
    await drop?.();
  });
  return handle;
}
