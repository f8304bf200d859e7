// Webhook processing: stored deliveries (one inbound text each, 200 customers) turned into contacts,
// conversations and messages per second by one worker node. DESIGN target: ≥ 3,000 events/s.
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'slonik';
import { z } from 'zod';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateKeySpec } from '../server/crypto/keyring.ts';
import { createLogger } from '../server/logger.ts';
import { connectTestChannel, postWebhook } from '../server/test/channels.ts';
import { createTenant } from '../server/test/factories.ts';
import { CpuMeter, perUnit } from './cpu.ts';
import { benchDatabase } from './database.ts';
import { report } from './report.ts';

const events = Number(process.env.BENCH_EVENTS ?? 5000);
// BENCH_MIX=seed posts ../shared/seed-baseline's bodies instead (80 % texts from 5,000 senders incl.
// replies, forwards and referrals; 20 % statuses for wamids Parley never sent), all to the bench channel.
const mix = process.env.BENCH_MIX ?? 'texts';
// Deliveries posted at once: the group commit's size and so the webhook.process job's (≤ 100). The
// seed run's 16 connections give jobs of 2-8; BENCH_POST_CONCURRENCY=4 imitates them.
const postConcurrency = Number(process.env.BENCH_POST_CONCURRENCY ?? 100);
const seedGenerator = path.join(
  fileURLToPath(new URL('.', import.meta.url)),
  '../../shared/seed-baseline/gen-bodies.mjs',
);

/** The seed generator's bodies (records of "<sig> <length>\n<body>"), for one number. */
function seedBodies(secret: string, count: number): Buffer[] {
  const out = path.join(os.tmpdir(), `parley-bench-seed-${process.pid}.bin`);
  execFileSync(
    process.execPath,
    [seedGenerator, '--secret', secret, '--count', String(count), '--out', out],
    {
      env: {
        ...process.env,
        NUMBERS_JSON: JSON.stringify([
          { waba: '310000000000001', pnid: '420000000000001', display: '15550101010' },
        ]),
      },
      stdio: 'ignore',
    },
  );
  const file = readFileSync(out);
  rmSync(out, { force: true });
  rmSync(`${out}.meta.json`, { force: true });
  const bodies: Buffer[] = [];
  for (let at = 0; at < file.length;) {
    const newline = file.indexOf(10, at);
    const length = Number(file.toString('latin1', at, newline).split(' ')[1]);
    bodies.push(file.subarray(newline + 1, newline + 1 + length));
    at = newline + 1 + length;
  }
  return bodies;
}
const here = fileURLToPath(new URL('.', import.meta.url));
const logger = createLogger('warn');
const database = await benchDatabase(logger);

try {
  const keys = generateKeySpec('bench');
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', PARLEY_ENCRYPTION_KEYS: keys });
  const web = await buildApp({ config, logger, databaseUrl: database.url, workers: false });
  const tenant = await createTenant(web.services.pools.owner);
  const channel = await connectTestChannel(web, tenant.id, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  const template = await fs.readFile(
    path.join(here, '../server/test/fixtures/whatsapp/webhooks/text.json'),
    'utf8',
  );
  const seed = mix === 'seed' ? seedBodies(channel.appSecret, events) : [];
  for (let i = 0; i < events; i += postConcurrency) {
    await Promise.all(
      Array.from({ length: Math.min(postConcurrency, events - i) }, (_, j) => {
        const n = i + j;
        const seeded = seed[n];
        if (seeded) return postWebhook(web, channel, seeded);
        const body = template
          .replace('000000000001AA==', `${String(n).padStart(12, '0')}BB==`)
          .replaceAll('15550123456', `1555${String(1_000_000 + (n % 200)).padStart(7, '0')}`)
          .replace('"user_id": "US.7731946620185347712",', '');
        return postWebhook(web, channel, body);
      }),
    );
  }
  await web.close();

  const meter = await CpuMeter.open(database.url);
  const cpuBefore = await meter.sample();
  const started = performance.now();
  const worker = await buildApp({
    config: loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PARLEY_ENCRYPTION_KEYS: keys,
      WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '8',
    }),
    logger,
    databaseUrl: database.url,
    workers: true,
  });
  for (;;) {
    // Whether any is left, not how many: counting them every poll was the run's most expensive
    // statement (a scan of every stored delivery, in PostgreSQL's share of the same two cores).
    const waiting = await worker.services.pools.owner.oneFirst(
      sql.type(z.object({ left: z.boolean() }))`
        select exists (select 1 from app_private.webhook_deliveries where status = 'received') as left
      `,
    );
    if (!waiting) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = CpuMeter.used(cpuBefore, await meter.sample());
  await meter.close();
  const stored = await worker.services.pools.owner.oneFirst(
    sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_public.messages`,
  );
  const jobs = await worker.services.pools.owner.oneFirst(
    sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from pgboss.job where name = 'webhook.process'
    `,
  );
  await worker.close();
  report('webhook-processing', {
    events,
    mix,
    post_concurrency: postConcurrency,
    webhook_process_jobs: jobs,
    messages_stored: stored,
    seconds: Math.round(seconds * 100) / 100,
    events_per_s: Math.round(events / seconds),
    // CPU per processed event (the worker node including its start, its PostgreSQL backends, the
    // cluster's background processes), which holds on a shared box where events/s does not.
    node_cpu_us_per_event: perUnit(cpu.nodeUs, events),
    node_system_cpu_us_per_event: perUnit(cpu.nodeSystemUs, events),
    pg_cpu_us_per_event: perUnit(cpu.pgBackendUs, events),
    pg_background_cpu_us_per_event: perUnit(cpu.pgBackgroundUs, events),
    cpu_us_per_event: perUnit(cpu.nodeUs + cpu.pgBackendUs, events),
    target_per_s: 3000,
  });
} finally {
  await database.close();
}
