import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

/** A condition with a known remedy: main.ts prints the message as one line, without a stack trace. */
export class EmbeddedPostgresError extends Error {
  override name = 'EmbeddedPostgresError';
}

export interface SystemUser {
  uid: number;
  gid: number;
}

/** Where root keeps what the postgres user must reach when the project directory is private. */
export const defaultSharedDir = '/var/lib/parley';

/** PostgreSQL refuses to run as root; as root we run it as the `postgres` system user (created if missing). */
export function postgresUser(): SystemUser | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const lookup = () => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return lookup();
  } catch {
    try {
      execFileSync('useradd', ['--system', '--user-group', '--no-create-home', 'postgres'], {
        stdio: 'ignore',
      });
      return lookup();
    } catch {
      throw new EmbeddedPostgresError(
        'Embedded PostgreSQL cannot run as root and no "postgres" user could be created: create one (useradd --system postgres), run Parley as another user, or set DATABASE_URL.',
      );
    }
  }
}

/** Whether `user` can search `dir` (and so every directory above it): asks the kernel, ACLs included. */
function canReach(user: SystemUser, dir: string): boolean {
  return spawnSync('test', ['-x', dir], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

function canRun(user: SystemUser, file: string): boolean {
  return spawnSync(file, ['--version'], { uid: user.uid, gid: user.gid, stdio: 'ignore' }).status === 0;
}

async function exists(file: string): Promise<boolean> {
  return fs.access(file).then(
    () => true,
    () => false,
  );
}

async function makeSharedDir(dir: string): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true, mode: 0o755 });
    await fs.chmod(dir, 0o755);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot reach Parley's private directory, and ${dir} cannot be created for it (${(error as Error).message}): set PARLEY_DATA_DIR to a directory outside private ones, or set DATABASE_URL.`,
    );
  }
}

export interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * The binaries live in node_modules; in a private clone (root's home is 0700) the postgres user
 * cannot execute them. Then run a copy of the package's native/ folder (bin, lib, share: the binaries
 * find their libraries relative to themselves) kept under the shared directory, one per version.
 */
export async function reachableBinaries(
  binaries: Binaries,
  user: SystemUser | undefined,
  sharedDir: string,
): Promise<Binaries> {
  if (!user || canRun(user, binaries.postgres)) return binaries;
  const nativeDir = path.dirname(path.dirname(binaries.postgres));
  const manifest = JSON.parse(
    await fs.readFile(path.join(nativeDir, '..', 'package.json'), 'utf8').catch(() => '{}'),
  ) as { version?: string };
  const version = manifest.version ?? 'unknown';
  const copy = path.join(sharedDir, `postgres-${version}`);
  if (!(await exists(path.join(copy, 'bin', 'postgres')))) {
    await makeSharedDir(sharedDir);
    const partial = `${copy}.${randomBytes(4).toString('hex')}.partial`;
    await fs.cp(nativeDir, partial, { recursive: true, verbatimSymlinks: true });
    await fs.rename(partial, copy).catch(async (error: unknown) => {
      await fs.rm(partial, { recursive: true, force: true });
      if (!(await exists(path.join(copy, 'bin', 'postgres')))) throw error; // else a parallel start won
    });
  }
  const copied = {
    initdb: path.join(copy, 'bin', path.basename(binaries.initdb)),
    postgres: path.join(copy, 'bin', path.basename(binaries.postgres)),
  };
  if (!canRun(user, copied.postgres)) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot run PostgreSQL from ${copy}: make it readable (chmod -R a+rX ${sharedDir}), or set DATABASE_URL.`,
    );
  }
  return copied;
}

/**
 * Where the cluster lives: `<dataDir>/pg` when the postgres user can reach it; otherwise (a private
 * directory, as root) under the shared directory, recorded in the data directory's credentials file
 * so it is found again. An existing cluster it cannot reach is a problem only the operator can fix.
 */
export async function reachableClusterDir(
  dataDir: string,
  recorded: string | undefined,
  user: SystemUser | undefined,
  sharedDir: string,
): Promise<string> {
  const local = path.join(dataDir, 'pg');
  if (!user) return local;
  if (recorded && recorded !== local) return recorded;
  if (canReach(user, dataDir)) return local;
  if (await exists(path.join(local, 'PG_VERSION'))) {
    throw new EmbeddedPostgresError(
      `The postgres user cannot reach the database in ${local}: make its parent directories searchable (chmod o+x on each), or set DATABASE_URL.`,
    );
  }
  const key = createHash('sha256')
    .update(await fs.realpath(dataDir))
    .digest('hex')
    .slice(0, 16);
  await makeSharedDir(path.join(sharedDir, 'clusters', key));
  return path.join(sharedDir, 'clusters', key, 'pg');
}
