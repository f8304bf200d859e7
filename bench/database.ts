import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../server/db/embedded-postgres.ts';
import { migrateDatabase } from '../server/db/migrate.ts';
import type { Logger } from '../server/logger.ts';

/** The statements that took the most time in the run, on stderr (BENCH_PG_STAT_STATEMENTS=1; BENCH_PG_STAT_STATEMENTS_TOP=N, default 25). */
async function printStatements(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const { rows } = await client.query<Record<string, unknown>>(`
    select calls, rows, round(total_exec_time)::int as total_ms,
           round((total_exec_time / calls * 1000)::numeric)::int as us_per_call,
           left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
    from pg_stat_statements order by total_exec_time desc limit ${Number(process.env.BENCH_PG_STAT_STATEMENTS_TOP ?? 25)}`);
  for (const row of rows) process.stderr.write(`${JSON.stringify(row)}\n`);
  await client.end();
}

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
  // BENCH_PG_STAT_STATEMENTS=1: load pg_stat_statements (the shared cluster has no preload), to read
  // per-statement cost: the top statements are printed on stderr when the database closes.
  const statements = process.env.BENCH_PG_STAT_STATEMENTS === '1';
  const server = await startEmbeddedPostgres({
    dataDir,
    databaseName: 'parley_bench',
    settings: statements
      ? { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.track': 'all' }
      : undefined,
  });
  await migrateDatabase(server.url, logger);
  if (statements) {
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query('create extension if not exists pg_stat_statements');
    await client.end();
  }
  return {
    url: server.url,
    async close() {
      if (statements) await printStatements(server.url);
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}
