import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { log, run } from './processes.ts';

/**
 * What counts as one processed event in Parley: every seed body carries exactly one event, and an
 * inbound message ends as exactly one `messages` row (unique wamid) while a status ends as exactly one
 * `message_statuses` row (unique per wamid and status; each status body has its own wamid). Both are
 * written in the transaction that finishes the event (contact, conversation, unread count, preview),
 * so the sum grows by one per event only after full processing, never at ingest. The domain tables
 * are what a user sees, so the count stays right however the pipeline in between is rebuilt.
 */
export const processedEventsSql =
  'select (select count(*) from app_public.messages) + (select count(*) from app_public.message_statuses) as events';

/**
 * A writable copy of the read-only seed-baseline folder in `workDir`, with its node_modules from a
 * cache keyed by its lock file (so `npm ci` runs once per lock file, not once per run).
 */
export async function copySeedBaseline(seedDir: string, workDir: string, cacheRoot: string): Promise<string> {
  const copy = path.join(workDir, 'seed-baseline');
  await fs.promises.cp(seedDir, copy, {
    recursive: true,
    filter: (source) => path.basename(source) !== 'node_modules' && path.basename(source) !== 'results',
  });
  await makeWritable(copy);
  const lock = await fs.promises.readFile(path.join(seedDir, 'package-lock.json'));
  const cache = path.join(cacheRoot, crypto.createHash('sha1').update(lock).digest('hex').slice(0, 12));
  if (!fs.existsSync(path.join(cache, 'node_modules'))) {
    log(`installing seed-baseline's dependencies into ${cache} (once per lock file)`);
    await fs.promises.mkdir(cache, { recursive: true });
    for (const file of ['package.json', 'package-lock.json'])
      await fs.promises.copyFile(path.join(seedDir, file), path.join(cache, file));
    await run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: cache });
  }
  await fs.promises.symlink(path.join(cache, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  return copy;
}

async function makeWritable(entry: string): Promise<void> {
  const stat = await fs.promises.lstat(entry);
  if (stat.isSymbolicLink()) return;
  await fs.promises.chmod(entry, stat.mode | 0o200);
  if (stat.isDirectory())
    for (const name of await fs.promises.readdir(entry)) await makeWritable(path.join(entry, name));
}

/** One body from seed-baseline's own generator, as wrk would send it: its bytes and signature. */
async function generatedBody(
  seedCopy: string,
  secret: string,
  env: NodeJS.ProcessEnv,
): Promise<{ body: Buffer; signature: string }> {
  const file = path.join(seedCopy, 'probe.dat');
  await run(process.execPath, ['gen-bodies.mjs', '--secret', secret, '--count', '1', '--out', file], {
    cwd: seedCopy,
    env,
  });
  const data = await fs.promises.readFile(file);
  const newline = data.indexOf(10);
  const [signature = '', length = '0'] = data.subarray(0, newline).toString('latin1').split(' ');
  return { body: data.subarray(newline + 1, newline + 1 + Number(length)), signature };
}

/**
 * Proves the wiring before measuring: one generated body is acknowledged by Parley and, once
 * processed, moves the processed-events count by exactly one (right route, secret, numbers and
 * count query, and a worker that runs).
 */
export async function probeTarget(options: {
  seedCopy: string;
  env: NodeJS.ProcessEnv;
  webhookUrl: string;
  secret: string;
  databaseUrl: string;
  timeoutMs: number;
}): Promise<void> {
  const client = new pg.Client({ connectionString: options.databaseUrl });
  await client.connect();
  try {
    const count = async () =>
      Number((await client.query<{ events: string }>(processedEventsSql)).rows[0]?.events);
    const before = await count();
    const { body, signature } = await generatedBody(options.seedCopy, options.secret, options.env);
    const response = await fetch(options.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': `sha256=${signature}` },
      body: new Uint8Array(body),
    });
    if (!response.ok)
      throw new Error(
        `Parley answered ${response.status} to a correctly signed seed body: ${await response.text()}`,
      );
    const deadline = Date.now() + options.timeoutMs;
    for (;;) {
      const now = await count();
      if (now === before + 1) return;
      if (now > before + 1) throw new Error(`one event moved the processed count by ${now - before}, not 1`);
      if (Date.now() > deadline)
        throw new Error(
          `Parley acknowledged a seed body but did not process it within ${options.timeoutMs / 1000} s ` +
            "(is a worker running, and do the body's numbers route to the channel?)",
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await client.end();
  }
}

/** Runs seed-baseline's run.sh in the copy and returns the results JSON it wrote. */
export async function runSeedBaseline(
  seedCopy: string,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<{ file: string; json: unknown }> {
  // run.sh prints its tables on stdout; ours carries only the final JSON line.
  await run('bash', ['run.sh', ...args], { cwd: seedCopy, env, stdout: 'inherit-stderr' });
  const dir = path.join(seedCopy, 'results');
  const newest = (await fs.promises.readdir(dir))
    .filter((name) => name.endsWith('.json'))
    .sort()
    .at(-1);
  if (!newest) throw new Error('seed-baseline wrote no results file');
  const file = path.join(dir, newest);
  return { file, json: JSON.parse(await fs.promises.readFile(file, 'utf8')) as unknown };
}
