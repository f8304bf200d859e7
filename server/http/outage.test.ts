import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../db/embedded-postgres.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { buildTestApp, testEncryptionKeys } from '../test/app.ts';
import { connectTestChannel, webhookFixture, type TestChannel } from '../test/channels.ts';
import { setupTestDatabase } from '../test/db.ts';
import { eventually } from '../test/eventually.ts';
import { createTenant } from '../test/factories.ts';
import { signWebhookBody } from '../whatsapp/signature.ts';

const db = setupTestDatabase();
const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** A Parley process (web server and workers) on `databaseUrl`; a crash shows as its exit. */
async function startParley(databaseUrl: string) {
  const child = spawn(process.execPath, ['server/main.ts', 'all'], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
      LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      PORT: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  cleanups.push(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exit;
  });
  // LOG_LEVEL warn hides Fastify's "listening" line; ask the kernel instead, through /proc.
  const url = await eventually(
    async () => {
      if (child.exitCode !== null) throw new Error(`Parley exited:\n${output}`);
      const port = await listeningPort(child.pid ?? 0);
      return port ? `http://127.0.0.1:${port}` : undefined;
    },
    'Parley to listen',
    60_000,
  );
  return { child, url, exit, output: () => output };
}

/** The TCP port a process listens on, from /proc/net/tcp and the process's socket inodes. */
async function listeningPort(pid: number): Promise<number | undefined> {
  const fds = await fs.readdir(`/proc/${pid}/fd`).catch(() => []);
  const inodes = new Set<string>();
  for (const fd of fds) {
    const link = await fs.readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(link);
    if (match?.[1]) inodes.add(match[1]);
  }
  const table = await fs.readFile('/proc/net/tcp', 'utf8');
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    // state 0A = LISTEN; local address 0100007F = 127.0.0.1
    if (fields[3] === '0A' && fields[1]?.startsWith('0100007F:') && inodes.has(fields[9] ?? '')) {
      return Number.parseInt(fields[1].split(':')[1] ?? '', 16);
    }
  }
  return undefined;
}

async function postWebhook(url: string, channel: TestChannel) {
  const body = webhookFixture('text.json');
  const response = await fetch(`${url}/webhooks/whatsapp/${channel.appKey}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signWebhookBody(channel.appSecret, body),
    },
    body: new Uint8Array(body),
  });
  await response.arrayBuffer();
  return { status: response.status, retryAfter: response.headers.get('retry-after') };
}

async function readyz(url: string): Promise<number> {
  const response = await fetch(`${url}/readyz`);
  await response.arrayBuffer();
  return response.status;
}

/** A channel written through an in-process app (same keyring as the Parley process). */
async function channelOn(databaseUrl: string): Promise<TestChannel> {
  const app: FastifyInstance = await buildTestApp(databaseUrl);
  try {
    const tenant = await createTenant(app.services.pools.owner);
    return await connectTestChannel(app, tenant.id, {
      wabaId: '102290129340398',
      phoneNumberId: '106540352242922',
      displayPhoneNumber: '15550783881',
    });
  } finally {
    await app.close();
  }
}

describe('a Parley process when its database connections drop', () => {
  it(
    'stays up while every backend is terminated under load, and serves again',
    { timeout: 120_000 },
    async () => {
      const channel = await channelOn(db.url);
      const parley = await startParley(db.url);
      expect((await postWebhook(parley.url, channel)).status).toBe(200);

      const statuses: number[] = [];
      let stop = false;
      const load = Array.from({ length: 8 }, async () => {
        while (!stop) {
          const outcome = await postWebhook(parley.url, channel).catch((error: unknown) => String(error));
          statuses.push(typeof outcome === 'string' ? 0 : outcome.status);
          await readyz(parley.url).catch(() => 0);
        }
      });
      const admin = new pg.Client({ connectionString: db.url });
      await admin.connect();
      try {
        for (let round = 0; round < 15; round++) {
          await admin.query(
            `select pg_terminate_backend(pid) from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend'`,
          );
          await new Promise((resolve) => setTimeout(resolve, 150));
        }
      } finally {
        await admin.end();
      }
      stop = true;
      await Promise.all(load);

      expect(parley.child.exitCode, parley.output()).toBeNull();
      // While connections drop, a webhook is stored (200) or refused for Meta to retry (503): never a 500.
      expect(new Set(statuses.filter((status) => status !== 200 && status !== 503)), parley.output()).toEqual(
        new Set(),
      );
      await eventually(
        async () => ((await postWebhook(parley.url, channel)).status === 200 ? true : undefined),
        'a stored webhook',
      );
      expect(await readyz(parley.url)).toBe(200);
    },
  );

  it(
    'answers 503 with Retry-After while PostgreSQL is down, and recovers when it is back',
    { timeout: 180_000 },
    async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-outage-'));
      await fs.chmod(dataDir, 0o755);
      cleanups.push(() => fs.rm(dataDir, { recursive: true, force: true }));
      let database: EmbeddedPostgres = await startEmbeddedPostgres({ dataDir, databaseName: 'parley' });
      cleanups.push(() => database.stop());
      await migrateDatabase(database.url, createLogger('silent'));
      const channel = await channelOn(database.url);
      const parley = await startParley(database.url);
      expect((await postWebhook(parley.url, channel)).status).toBe(200);

      await database.stop();
      const refused = await postWebhook(parley.url, channel);
      expect(refused.status).toBe(503);
      expect(Number(refused.retryAfter)).toBeGreaterThan(0);
      expect(await readyz(parley.url)).toBe(503);
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // workers and pg-boss notice meanwhile
      expect(parley.child.exitCode, parley.output()).toBeNull();

      database = await startEmbeddedPostgres({ dataDir, databaseName: 'parley', port: database.port });
      await eventually(
        async () => ((await postWebhook(parley.url, channel)).status === 200 ? true : undefined),
        'a stored webhook',
        30_000,
      );
      await eventually(
        async () => ((await readyz(parley.url)) === 200 ? true : undefined),
        'ready again',
        30_000,
      );
      // The deliveries accepted before and after the outage are processed by the same process.
      const client = new pg.Client({ connectionString: database.url });
      await client.connect();
      try {
        await eventually(
          async () => {
            const { rows } = await client.query<{ n: number }>(
              `select count(*)::int as n from app_private.webhook_deliveries where status = 'received'`,
            );
            return rows[0]?.n === 0 ? true : undefined;
          },
          'deliveries processed',
          30_000,
        );
      } finally {
        await client.end();
      }
      expect(parley.child.exitCode, parley.output()).toBeNull();
    },
  );
});
