// Webhook ingest: signed POSTs per second, each acknowledged only after its delivery and job are
// committed (durably: fsync on, synchronous_commit on), against this machine's durable single-row
// insert limit measured in the same run. DESIGN target: ≥ 5,000/s, p99 ≤ 50 ms, nothing acknowledged lost.
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { sql } from 'slonik';
import { z } from 'zod';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateKeySpec } from '../server/crypto/keyring.ts';
import { uuidv7 } from '../server/db/uuid.ts';
import { DeliveryWriter } from '../server/domains/webhooks/ingest/delivery-writer.ts';
import { createLogger } from '../server/logger.ts';
import { connectTestChannel } from '../server/test/channels.ts';
import { createTenant } from '../server/test/factories.ts';
import { signWebhookBody } from '../server/whatsapp/signature.ts';
import { CpuMeter, perUnit } from './cpu.ts';
import { benchDatabase } from './database.ts';
import { preloadDeliveries } from './preload.ts';
import { report } from './report.ts';

const durationMs = Number(process.env.BENCH_SECONDS ?? 10) * 1000;
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 64);
/** BENCH_RATE=N: offer N requests/s instead of as many as answered, so CPU per request compares across runs. */
const rate = process.env.BENCH_RATE ? Number(process.env.BENCH_RATE) : undefined;
/** Synthetic deliveries (and completed jobs) stored before measuring: the growth figures. */
const preload = Number(process.env.BENCH_PRELOAD ?? 0);
const here = fileURLToPath(new URL('.', import.meta.url));
const logger = createLogger('warn');

const database = await benchDatabase(logger);

/** The durable single-row insert limit: `concurrency` clients, one autocommit insert each at a time. */
async function insertLimit(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: Math.min(concurrency, 32) });
  await pool.query(
    'create table if not exists bench_single_rows (id bigserial primary key, body text not null)',
  );
  let count = 0;
  const deadline = performance.now() + durationMs;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, 32) }, async () => {
      while (performance.now() < deadline) {
        await pool.query('insert into bench_single_rows (body) values ($1)', ['x'.repeat(800)]);
        count++;
      }
    }),
  );
  await pool.query('drop table bench_single_rows');
  await pool.end();
  return count / (durationMs / 1000);
}

/**
 * BENCH_HTTP_ONLY=1: deliveries are acknowledged without being written (the writer's store resolves
 * at once), so node_cpu_us_per_req is the HTTP path alone — comparable between runs on a busy box,
 * where the write's per-batch costs move with the batch sizes the box allows. Nothing is stored.
 */
const httpOnly = process.env.BENCH_HTTP_ONLY === '1';
if (httpOnly) DeliveryWriter.prototype.store = async () => uuidv7();

try {
  // BENCH_NO_LIMIT=1 skips the insert-limit phase (e.g. to profile only the ingest phase with --cpu-prof).
  const singleRowPerSecond =
    process.env.BENCH_NO_LIMIT === '1' ? Number.NaN : await insertLimit(database.url);

  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    PARLEY_ENCRYPTION_KEYS: generateKeySpec('bench'),
  });
  // BENCH_WEBHOOK_FAST_PATH=0: the Fastify route instead of the fast path in front of it (comparison).
  const app = await buildApp({
    config,
    logger,
    databaseUrl: database.url,
    workers: false,
    webhookFastPath: process.env.BENCH_WEBHOOK_FAST_PATH !== '0',
  });
  const tenant = await createTenant(app.services.pools.owner);
  const channel = await connectTestChannel(app, tenant.id, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  const preloadSeconds =
    preload > 0 ? await preloadDeliveries(app.services.pools.owner, 'preloaded', preload) : 0;
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const body = await fs.readFile(
    path.join(here, '../server/test/fixtures/whatsapp/webhooks/text.json'),
    'utf8',
  );
  const load = {
    url: `${url}/webhooks/whatsapp/${channel.appKey}`,
    body,
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signWebhookBody(channel.appSecret, body),
    },
    concurrency,
    durationMs,
    rate,
  };
  const runLoad = (options: typeof load) =>
    new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(here, 'http-load.ts'), JSON.stringify(options)], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let text = '';
      child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('exit', (code) =>
        code === 0 ? resolve(text) : reject(new Error(`load generator exited ${code}`)),
      );
    });
  const storedSoFar = () =>
    app.services.pools.owner.oneFirst(
      sql.type(
        z.object({ n: z.number() }),
      )`select count(*)::int as n from app_private.webhook_deliveries where app_key <> 'preloaded'`,
    );
  // A warm-up (BENCH_WARMUP_SECONDS, default 2), not measured: the JIT's compiling and the pools'
  // connecting would otherwise count as CPU per request, more so the fewer requests a busy box allows.
  const warmupMs = Number(process.env.BENCH_WARMUP_SECONDS ?? 2) * 1000;
  if (warmupMs > 0) await runLoad({ ...load, durationMs: warmupMs });
  const storedBefore = await storedSoFar();
  const meter = await CpuMeter.open(database.url);
  const cpuBefore = await meter.sample();
  const output = await runLoad(load);
  const result = JSON.parse(output) as {
    requests: number;
    statuses: Record<string, number>;
    errors: number;
    p50: number;
    p99: number;
    seconds: number;
  };
  const cpu = CpuMeter.used(cpuBefore, await meter.sample());
  await meter.close();
  const acknowledged = result.statuses['200'] ?? 0;
  const stored = (await storedSoFar()) - storedBefore;
  await app.close();
  const perSecond = acknowledged / result.seconds;
  report('webhook-ingest', {
    concurrency,
    offered_rate: rate ?? 'max',
    preloaded: preload,
    preload_s: Math.round(preloadSeconds),
    acknowledged_per_s: Math.round(perSecond),
    p50_ms: Math.round(result.p50 * 10) / 10,
    p99_ms: Math.round(result.p99 * 10) / 10,
    acknowledged,
    stored,
    http_only: httpOnly ? 1 : 0,
    lost: httpOnly ? 0 : Math.max(0, acknowledged - stored),
    errors: result.errors + result.requests - acknowledged,
    // CPU per acknowledged request, which holds on a shared box where req/s does not: the server
    // process, its PostgreSQL backends, and the cluster's background processes (WAL writer…).
    node_cpu_us_per_req: perUnit(cpu.nodeUs, acknowledged),
    node_system_cpu_us_per_req: perUnit(cpu.nodeSystemUs, acknowledged),
    pg_cpu_us_per_req: perUnit(cpu.pgBackendUs, acknowledged),
    pg_background_cpu_us_per_req: perUnit(cpu.pgBackgroundUs, acknowledged),
    cpu_us_per_req: perUnit(cpu.nodeUs + cpu.pgBackendUs, acknowledged),
    durable_single_row_inserts_per_s: Math.round(singleRowPerSecond),
    ratio_to_single_row_limit: Math.round((perSecond / singleRowPerSecond) * 100) / 100,
    target_per_s: 5000,
    target_p99_ms: 50,
  });
} finally {
  await database.close();
}
