import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { schemaStatus } from './db/migrate.ts';
import { createPools } from './db/pools.ts';
import { createDatabase, setupTestDatabase } from './test/db.ts';
import { testEncryptionKeys } from './test/app.ts';

const db = setupTestDatabase();

interface Run {
  child: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

function start(args: string[], env: Record<string, string> = {}): Run {
  const child = spawn(process.execPath, ['server/main.ts', ...args], {
    env: {
      ...process.env,
      LOG_LEVEL: 'info',
      NODE_ENV: 'production',
      PORT: '0',
      PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exit };
}

async function listeningUrl(run: Run): Promise<string> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const match = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(run.output());
    if (match?.[1]) return match[1];
    if (run.child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`server did not start:\n${run.output()}`);
}

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent: false }, (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        // A response that started and then broke off is the one outcome a client cannot recover from.
        response.on('aborted', () =>
          reject(Object.assign(new Error('response cut off'), { code: 'TRUNCATED' })),
        );
      })
      .on('error', reject);
  });
}

describe('the server process', () => {
  it('serves until SIGTERM, answers every request it began, and exits 0', async () => {
    const run = start(['serve'], { DATABASE_URL: db.url });
    const url = await listeningUrl(run);
    expect(await get(`${url}/readyz`)).toBe(200);

    const statuses: number[] = [];
    const connectionErrors: string[] = [];
    const truncated: string[] = [];
    let stopped = false;
    // Clients keep calling while the process shuts down. A request either gets a whole response
    // (200, or 503 "closing, retry") or fails before any response byte (connection refused or reset
    // while queued in the kernel): a client can always tell, and retry. None is cut off midway.
    const clients = Array.from({ length: 8 }, async () => {
      while (!stopped) {
        try {
          statuses.push(await get(`${url}/readyz`));
        } catch (error) {
          const code = (error as { code?: string }).code ?? String(error);
          if (code === 'TRUNCATED') truncated.push(code);
          else connectionErrors.push(code);
          if (code === 'ECONNREFUSED') break;
        }
      }
    });
    // And one request is mid-way (headers half sent) when the signal arrives.
    const socket = net.connect(Number(new URL(url).port), '127.0.0.1');
    let inFlightResponse = '';
    socket.on('data', (chunk: Buffer) => (inFlightResponse += chunk.toString()));
    const inFlightDone = new Promise((resolve) => socket.on('close', resolve));
    await new Promise((resolve) => socket.on('connect', resolve));
    socket.write('GET /readyz HTTP/1.1\r\nHost: parley\r\n');
    await new Promise((resolve) => setTimeout(resolve, 300));

    run.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 100));
    socket.write('\r\n');
    const code = await run.exit;
    stopped = true;
    await Promise.all([...clients, inFlightDone]);

    expect(code, run.output()).toBe(0);
    expect(truncated).toEqual([]);
    expect(connectionErrors.every((error) => error === 'ECONNREFUSED' || error === 'ECONNRESET')).toBe(true);
    expect(statuses.filter((status) => status === 200).length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200 || status === 503)).toBe(true);
    expect(inFlightResponse).toMatch(/^HTTP\/1\.1 (200|503) /);
    expect(run.output()).toContain('shutdown complete');
  });

  it('logs JSON lines with a request id and never the authorization header', async () => {
    const run = start(['serve'], { DATABASE_URL: db.url });
    const url = await listeningUrl(run);
    await new Promise<void>((resolve, reject) => {
      http
        .get(
          `${url}/trpc/system.info`,
          { agent: false, headers: { authorization: 'Bearer very-secret', 'x-request-id': 'trace-1' } },
          (res) => {
            res.resume();
            res.on('end', resolve);
          },
        )
        .on('error', reject);
    });
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const lines = run
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const requestLines = lines
      .map((line) => JSON.parse(line) as { reqId?: string })
      .filter((line) => line.reqId === 'trace-1');
    expect(requestLines.length).toBeGreaterThan(0);
    expect(run.output()).not.toContain('very-secret');
  });

  it('`migrate` brings an empty database to the current schema and exits 0', async () => {
    const empty = await createDatabase(false);
    try {
      const run = start(['migrate'], { DATABASE_URL: empty.url });
      expect(await run.exit, run.output()).toBe(0);
      const pools = await createPools(empty.url, 1);
      try {
        expect((await schemaStatus(pools.owner)).current).toBe(true);
      } finally {
        await pools.end();
      }
    } finally {
      await empty.drop();
    }
  });

  it('explains an unknown command and exits 2', async () => {
    const run = start(['serev']);
    expect(await run.exit).toBe(2);
    expect(run.output()).toContain('Unknown command "serev"');
    expect(run.output()).toContain('Usage:');
  });

  it('lists every configuration problem and exits 1 before touching anything', async () => {
    const run = start(['serve'], { PORT: 'eighty', DATABASE_URL: 'mysql://nope' });
    expect(await run.exit).toBe(1);
    expect(run.output()).toMatch(/PORT:/);
    expect(run.output()).toMatch(/DATABASE_URL: must be a postgres:\/\/ connection string/);
  });
});

describe('the Node runtime', () => {
  it('is Node 24 under `npm run`, even where the system Node is older', async () => {
    expect(process.version).toMatch(/^v24\./);
    const child = spawn('npm', ['run', '--silent', 'node-version'], { stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise((resolve) => child.on('exit', resolve));
    expect(output.trim()).toMatch(/^v24\.\d+\.\d+$/);
  });
});

describe('npm start', () => {
  it('and every npm script that runs a process until stopped replaces the shell with it (exec)', async () => {
    const { scripts } = (await import('../package.json', { with: { type: 'json' } })).default as {
      scripts: Record<string, string>;
    };
    // sh (dash) neither forwards npm's SIGTERM to its child nor execs a lone command by itself.
    for (const name of [
      'start',
      'dev',
      'serve',
      'worker',
      'migrate',
      'simulator',
      'create-admin',
      'rotate-keys',
    ]) {
      expect(scripts[name], name).toMatch(/(^|&& )exec node /);
    }
  });

  it(
    'stops the server when the npm process gets SIGTERM, and exits with it',
    { timeout: 60_000 },
    async () => {
      const npm = spawn('npm', ['start', '--', 'serve'], {
        env: {
          ...process.env,
          DATABASE_URL: db.url,
          SKIP_CLIENT_BUILD: '1',
          LOG_LEVEL: 'info',
          NODE_ENV: 'production',
          PORT: '0',
          PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let output = '';
      npm.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      npm.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exit = new Promise<number | null>((resolve) => npm.on('exit', (code) => resolve(code)));
      const run: Run = { child: npm, output: () => output, exit };
      const url = await listeningUrl(run);
      // pino's lines carry the pid of the process that logged them: the server's, under npm and sh.
      const serverPid = Number(/"pid":(\d+)/.exec(output)?.[1]);
      expect(serverPid).toBeGreaterThan(0);
      expect(serverPid).not.toBe(npm.pid);

      const alive = () => {
        try {
          process.kill(serverPid, 0);
          return true;
        } catch {
          return false;
        }
      };
      try {
        npm.kill('SIGTERM');
        expect(await exit, output).toBe(0);
        expect(alive()).toBe(false);
        await expect(get(`${url}/healthz`)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      } finally {
        if (alive()) process.kill(serverPid, 'SIGKILL'); // the orphan this test is about
      }
    },
  );
});
