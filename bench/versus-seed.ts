// Parley beside the usual Express + Redis + BullMQ stack in ONE run of ../shared/seed-baseline
// (issue 17, DESIGN.md "Performance"): same wrk load, same distinct signed bodies, same machine.
//
//   npm run bench -- versus-seed [--quick] [--split | --serve=N] [--no-limit]
//
// Starts Parley (NODE_ENV=production) as `all`, or `serve` + `worker` with --split (--serve=N: N `serve`
// processes behind a round-robin relay, and one `worker`), on a fresh database
// of the PostgreSQL at PGHOST:PGPORT (127.0.0.1:5432; BENCH_DATABASE_URL to use another), connects a
// channel through sign-up and channel.connect against the simulator, runs seed-baseline's combined mode
// with Parley as its target, and prints one JSON line: ratios per connection count and which goals hold.
// seed-baseline's knobs pass through the environment (DURATION, CONNS, WORKERS_LIST, MAX_RPS, …).
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { benchDatabase, connectChannel, startParley } from './versus-seed/parley.ts';
import { missingTools, redisProblem } from './versus-seed/prerequisites.ts';
import { freePort, log, type Started } from './versus-seed/processes.ts';
import { copySeedBaseline, probeTarget, processedEventsSql, runSeedBaseline } from './versus-seed/seed.ts';
import { seedResultsSchema, summarize } from './versus-seed/summary.ts';

const projectRoot = fileURLToPath(new URL('../', import.meta.url));
const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    split: { type: 'boolean', default: false },
    serve: { type: 'string' },
    'no-limit': { type: 'boolean', default: false },
  },
});
const line = (fields: Record<string, unknown>) =>
  process.stdout.write(
    `${JSON.stringify({ bench: 'versus-seed', at: new Date().toISOString(), ...fields })}\n`,
  );

const seedDir = path.resolve(
  process.env.SEED_BASELINE_DIR ?? path.join(projectRoot, '..', 'shared', 'seed-baseline'),
);
if (!fs.existsSync(path.join(seedDir, 'run.sh'))) {
  line({
    skipped: `no seed-baseline at ${seedDir} (../shared/seed-baseline, or set SEED_BASELINE_DIR): nothing to compare against`,
  });
  process.exit(0);
}
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/5';
const problem = missingTools() ?? redisProblem(redisUrl);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(2);
}

const pgHost = process.env.PGHOST ?? '127.0.0.1';
const pgPort = process.env.PGPORT ?? '5432';
const pgUser = process.env.PGUSER ?? 'postgres';
const adminUrl = `postgres://${pgUser}@${pgHost}:${pgPort}/postgres`;
const commit = (() => {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: projectRoot,
      encoding: 'utf8',
    }).trim();
  } catch {
    return 'unknown';
  }
})();
const serve = flags.serve === undefined ? (flags.split ? 1 : 0) : Number(flags.serve);
if (flags.serve !== undefined && !(Number.isInteger(serve) && serve >= 1 && serve <= 8)) {
  process.stderr.write(`--serve takes a number of serve processes from 1 to 8, not "${flags.serve}"\n`);
  process.exit(2);
}
const mode = serve === 0 ? 'all' : `${serve === 1 ? '' : `${serve}×`}serve+worker`;
const tag = serve === 0 ? 'all' : serve === 1 ? 'split' : `serve${serve}`;
const workDir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'parley-versus-seed-'));
const baselineDb = `ingest_bench_${crypto.randomBytes(4).toString('hex')}`;

// Everything started or created is undone here, in reverse, whatever happens.
const undo: (() => Promise<void>)[] = [];
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const step of undo.reverse())
      await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
    await fs.promises.rm(workDir, { recursive: true, force: true });
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));

try {
  // Build the web app when missing or stale, as `npm start` does: Parley runs as it ships.
  execFileSync(process.execPath, ['scripts/ensure-client-build.ts'], {
    cwd: projectRoot,
    stdio: ['ignore', 2, 2],
  });

  const database = await benchDatabase(adminUrl, 'parley_bench');
  undo.push(() => database.drop());
  undo.push(async () => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`drop database if exists ${baselineDb} with (force)`).finally(() => client.end());
  });
  log(`Parley (${mode}, ${commit}) on ${new URL(database.url).pathname.slice(1)}`);
  const parley = await startParley({ projectRoot, databaseUrl: database.url, serve, workDir });
  undo.push(async () => {
    for (const started of [...parley.processes].reverse()) await started.stop();
  });
  const channel = await connectChannel(parley.url);

  const seedCopy = await copySeedBaseline(
    seedDir,
    workDir,
    path.join(projectRoot, 'node_modules', '.cache', 'versus-seed'),
  );
  const fixturesDir = [
    path.join(seedDir, '..', 'fixtures', 'whatsapp', 'webhooks'),
    path.join(projectRoot, 'server/test/fixtures/whatsapp/webhooks'),
  ].find((dir) => fs.existsSync(dir));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    // Both stacks run on the project's Node unless SEED_NODE names another binary for seed-baseline.
    PATH: [path.dirname(process.env.SEED_NODE ?? process.execPath), process.env.PATH].join(path.delimiter),
    FIXTURES_DIR: fixturesDir,
    NUMBERS_JSON: JSON.stringify(channel.numbers),
    PORT: String(await freePort()),
    BENCH_DB: baselineDb,
    BULL_PREFIX: `ingestbench-${baselineDb}`,
    DRAIN_TIMEOUT: process.env.DRAIN_TIMEOUT ?? '300',
    TARGET_URL: channel.webhookUrl,
    TARGET_SECRET: channel.appSecret,
    TARGET_DB_URL: database.url,
    TARGET_COUNT_SQL: processedEventsSql,
    TARGET_PIDS: parley.httpPids.join(' '),
    TARGET_WORKER_PIDS: serve === 0 ? '' : parley.workerPids.join(' '),
    TARGET_LABEL: `parley-${tag}-${commit}`,
  };
  await probeTarget({
    seedCopy,
    env,
    webhookUrl: channel.webhookUrl,
    secret: channel.appSecret,
    databaseUrl: database.url,
    timeoutMs: 60_000,
  });
  log('Parley acknowledged and processed a probe body; running seed-baseline (combined mode)');
  const args = ['--label', `versus-parley-${tag}`];
  if (flags.quick) args.push('--quick');
  if (flags['no-limit']) args.push('--no-limit');
  const results = await runSeedBaseline(seedCopy, args, env);

  // Kept beside the build output, so the before/after table in bench/README.md can cite it.
  const keep = path.join(projectRoot, 'dist', 'bench');
  await fs.promises.mkdir(keep, { recursive: true });
  const kept = path.join(keep, path.basename(results.file));
  await fs.promises.copyFile(results.file, kept);
  const errorsLogged = parley.processes
    .filter((started: Started) => started.name.startsWith('parley'))
    .flatMap((started) => fs.readFileSync(started.logFile, 'utf8').split('\n'))
    .filter((entry) => /"level":(50|60)/.test(entry)).length;
  const parsed = seedResultsSchema.parse(results.json);
  line({
    parley: mode,
    commit,
    quick: flags.quick,
    duration_s: parsed.settings.duration_s,
    ...summarize(parsed),
    parley_errors_logged: errorsLogged,
    results_file: path.relative(projectRoot, kept),
  });
} catch (error) {
  process.stderr.write(`versus-seed failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
