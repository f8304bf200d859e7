import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import { createLogger } from '../server/logger.ts';
import { eventually } from '../server/test/eventually.ts';
import {
  basePort,
  ParleyProcess,
  query,
  readyz,
  recordFigures,
  sleep,
  workspaceWithChannel,
} from './harness.ts';
import { accountingQuery, WebhookLoad, type Accounting, type LoadChannel } from './webhook-load.ts';

/**
 * Promise 2: when the database goes away mid-load (PostgreSQL SIGKILLed, or the app's backends
 * terminated) no Parley process exits, webhooks get 503 meanwhile, /readyz says so, everything
 * resumes on its own, nothing acknowledged is lost, and interrupted jobs run again within 30 s.
 * The database is an embedded PostgreSQL of this file's own, with its durable defaults (fsync on).
 */
let dataDir: string;
let database: EmbeddedPostgres;
let parley: ParleyProcess;
let channels: LoadChannel[];

beforeAll(async () => {
  dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-reliability-'));
  await fs.chmod(dataDir, 0o755);
  database = await startEmbeddedPostgres({ dataDir, databaseName: 'parley' });
  await migrateDatabase(database.url, createLogger('silent'));
  const ids = {
    wabaId: '310000000000201',
    phoneNumberId: '420000000000201',
    displayPhoneNumber: '15550222201',
  };
  channels = [{ ...ids, ...(await workspaceWithChannel(database.url, ids)) }];
  parley = new ParleyProcess({ name: 'database-outage', databaseUrl: database.url, port: basePort + 1 });
  await parley.start();
});
afterAll(async () => {
  await parley?.stop();
  await database?.stop();
  if (dataDir) await fs.rm(dataDir, { recursive: true, force: true });
});

/** SIGKILLs the PostgreSQL server and all its processes (its own process group), as a crash would. */
async function crashDatabase(): Promise<void> {
  const [row] = await query<{ pid: string }>(
    database.url,
    `select split_part(pg_read_file('postmaster.pid'), E'\\n', 1) as pid`,
  );
  const pid = Number(row?.pid);
  process.kill(-pid, 'SIGKILL');
  await eventually(async () => {
    try {
      process.kill(pid, 0);
      return undefined;
    } catch {
      return true;
    }
  }, 'PostgreSQL to die');
}

/** Starts PostgreSQL again on its port (crash recovery replays the WAL), retrying while backends linger. */
async function restartDatabase(): Promise<void> {
  const port = database.port;
  database = await eventually(
    () => startEmbeddedPostgres({ dataDir, databaseName: 'parley', port }).catch(() => undefined),
    'PostgreSQL to start again',
    60_000,
  );
}

/** Waits until every acknowledged webhook is processed; the seconds that took from `since`. */
async function settle(load: WebhookLoad, since: number) {
  const accounting = await eventually(
    async () => {
      const [row] = await query<Accounting & Record<string, number>>(database.url, accountingQuery, [
        [...load.acknowledged],
      ]).catch(() => []);
      return row && row.waiting === 0 && row.processed + row.lost >= load.acknowledged.size ? row : undefined;
    },
    'every acknowledged webhook to be processed',
    90_000,
  );
  return { accounting, seconds: (Date.now() - since) / 1000 };
}

describe('a database outage mid-load', () => {
  it('PostgreSQL SIGKILLed and restarted: 503 meanwhile, no exit, nothing lost, jobs resume within 30 s', async () => {
    const load = new WebhookLoad(parley.url, channels, { concurrency: 8, prefix: 'crash' });
    load.start();
    await sleep(3_000);

    load.phase = 'outage';
    await crashDatabase();
    const crashedAt = Date.now();
    const notReady = await eventually(
      async () => ((await readyz(parley.url)) === 503 ? Date.now() - crashedAt : undefined),
      '/readyz to answer 503',
      15_000,
    );
    await sleep(3_000);
    const readyDuringOutage = await readyz(parley.url);
    expect(parley.running, 'Parley exited while the database was down').toBe(true);

    await restartDatabase();
    const restartedAt = Date.now();
    load.phase = 'recovered';
    await eventually(async () => ((await readyz(parley.url)) === 200 ? true : undefined), 'ready', 30_000);
    const readyAfter = (Date.now() - restartedAt) / 1000;
    await sleep(2_000);
    await load.stop();
    const { accounting, seconds } = await settle(load, restartedAt);

    const outage = load.statusesByPhase.outage ?? {};
    recordFigures('2a PostgreSQL SIGKILL mid-load', {
      acknowledged: load.acknowledged.size,
      stored: accounting.stored,
      processed: accounting.processed,
      duplicates: accounting.duplicates,
      lost: accounting.lost,
      'outage statuses': JSON.stringify(outage),
      'readyz 503 after ms': notReady,
      'ready again s': readyAfter.toFixed(1),
      'jobs done s': seconds.toFixed(1),
      exits: parley.unexpectedExits,
    });
    expect(parley.unexpectedExits).toBe(0);
    expect(readyDuringOutage).toBe(503);
    expect(outage['503'] ?? 0).toBeGreaterThan(0);
    // While the database is away a webhook is refused for Meta to retry: never a 500, never a hang.
    expect(Object.keys(outage).filter((status) => !['200', '503'].includes(status))).toEqual([]);
    expect(accounting.lost).toBe(0);
    expect(accounting.duplicates).toBe(0);
    expect(accounting.stored).toBe(load.acknowledged.size);
    expect(seconds).toBeLessThan(30);
  });

  it('the app’s backends terminated (pg_terminate_backend) under load: no exit, nothing lost', async () => {
    const load = new WebhookLoad(parley.url, channels, { concurrency: 8, prefix: 'terminate' });
    load.start();
    await sleep(2_000);
    load.phase = 'outage';
    let terminated = 0;
    for (let round = 0; round < 10; round++) {
      const rows = await query<{ ok: boolean }>(
        database.url,
        `select pg_terminate_backend(pid) as ok from pg_stat_activity
         where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
      );
      terminated += rows.length;
      await sleep(300);
    }
    const lastAt = Date.now();
    load.phase = 'recovered';
    await sleep(2_000);
    await load.stop();
    const { accounting, seconds } = await settle(load, lastAt);
    expect(await readyz(parley.url)).toBe(200);

    const outage = load.statusesByPhase.outage ?? {};
    recordFigures('2b pg_terminate_backend ×10 mid-load', {
      'backends terminated': terminated,
      acknowledged: load.acknowledged.size,
      stored: accounting.stored,
      processed: accounting.processed,
      duplicates: accounting.duplicates,
      lost: accounting.lost,
      'statuses meanwhile': JSON.stringify(outage),
      'jobs done s': seconds.toFixed(1),
      exits: parley.unexpectedExits,
    });
    expect(parley.unexpectedExits).toBe(0);
    expect(Object.keys(outage).filter((status) => !['200', '503'].includes(status))).toEqual([]);
    expect(accounting.lost).toBe(0);
    expect(accounting.duplicates).toBe(0);
    expect(seconds).toBeLessThan(30);
  });
});
