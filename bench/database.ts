import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import type { Logger } from '../server/logger.ts';

/**
 * A migrated database for one benchmark: BENCH_DATABASE_URL when given, else a fresh embedded
 * PostgreSQL with its durable defaults (fsync and synchronous_commit on), removed on close.
 */
export async function benchDatabase(logger: Logger): Promise<{ url: string; close(): Promise<void> }> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) {
    await migrateDatabase(external, logger);
    return { url: external, close: async () => {} };
  }
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-bench-'));
  await fs.chmod(dataDir, 0o755); // readable by the postgres user when run as root
  const server = await startEmbeddedPostgres({ dataDir, databaseName: 'parley_bench' });
  await migrateDatabase(server.url, logger);
  return {
    url: server.url,
    async close() {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
