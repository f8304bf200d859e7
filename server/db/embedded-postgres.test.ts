import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

describe('embedded PostgreSQL (npm start without DATABASE_URL)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  async function dataDir() {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-embedded-'));
    await fs.chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  }

  async function count(url: string) {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<{ n: number }>('select count(*)::int as n from kept')).rows[0]?.n;
    } finally {
      await client.end();
    }
  }

  it('initialises PostgreSQL 18 with a database, and keeps data and credentials across restarts', async () => {
    const dir = await dataDir();
    const first = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    const version = await client.query<{ server_version_num: string }>('show server_version_num');
    await client.query('create table kept (id int); insert into kept values (1), (2)');
    await client.end();
    await first.stop();
    expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(180000);

    const second = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
    try {
      expect(await count(second.url)).toBe(2);
      expect(new URL(second.url).hostname).toBe('127.0.0.1');
      const saved = JSON.parse(await fs.readFile(path.join(dir, 'embedded-postgres.json'), 'utf8')) as {
        password: string;
      };
      expect(decodeURIComponent(new URL(second.url).password)).toBe(saved.password);
      expect((await fs.stat(path.join(dir, 'embedded-postgres.json'))).mode & 0o077).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('refuses to start a second server on a data directory that is in use, saying what to do', async () => {
    const dir = await dataDir();
    const running = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
    try {
      await expect(startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' })).rejects.toThrow(
        /DATABASE_URL/,
      );
    } finally {
      await running.stop();
    }
  });
});
