import fs from 'node:fs';
import fs2 from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../db/embedded-postgres.ts';

/** A PostgreSQL server for the test run; `adminUrl` is a superuser connection to its `postgres` database. */
export interface TestDatabaseServer {
  kind: 'external' | 'testcontainers' | 'embedded';
  adminUrl: string;
  stop(): Promise<void>;
}

/** Settings that make a throwaway cluster fast; durability is irrelevant for test data. */
const throwawaySettings = {
  fsync: 'off',
  synchronous_commit: 'off',
  full_page_writes: 'off',
  max_connections: '400',
};

function containerRuntimeSocket(): boolean {
  if (process.env.DOCKER_HOST) return true;
  return ['/var/run/docker.sock', path.join(os.homedir(), '.docker/run/docker.sock')].some((socket) =>
    fs.existsSync(socket),
  );
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([
    promise,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms).unref(),
    ),
  ]);
}

/** Testcontainers only when a container runtime answers; otherwise undefined, within seconds and quietly. */
async function tryTestcontainers(): Promise<TestDatabaseServer | undefined> {
  if (process.env.PARLEY_TEST_NO_CONTAINERS || !containerRuntimeSocket()) return undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await withTimeout(getContainerRuntimeClient(), 5_000, 'container runtime');
    const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
    const container = await withTimeout(
      new PostgreSqlContainer('postgres:18')
        .withCommand([
          'postgres',
          ...Object.entries(throwawaySettings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
        ])
        .start(),
      120_000,
      'postgres container',
    );
    const url = new URL(container.getConnectionUri());
    url.pathname = '/postgres';
    return {
      kind: 'testcontainers',
      adminUrl: url.toString(),
      stop: async () => void (await container.stop()),
    };
  } catch {
    return undefined;
  }
}

async function startEmbedded(): Promise<TestDatabaseServer> {
  const dataDir = await fs2.mkdtemp(path.join(os.tmpdir(), 'parley-test-pg-'));
  await fs2.chmod(dataDir, 0o755); // readable by the postgres user when tests run as root
  const server = await startEmbeddedPostgres({
    dataDir,
    databaseName: 'postgres',
    settings: throwawaySettings,
  });
  return {
    kind: 'embedded',
    adminUrl: server.url,
    async stop() {
      await server.stop();
      await fs2.rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** TEST_DATABASE_URL → testcontainers → embedded PostgreSQL, in that order. */
export async function startTestDatabaseServer(): Promise<TestDatabaseServer> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) return { kind: 'external', adminUrl: external, stop: async () => {} };
  return (await tryTestcontainers()) ?? (await startEmbedded());
}
