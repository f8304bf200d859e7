import crypto from 'node:crypto';
import path from 'node:path';
import { createTRPCClient, httpLink } from '@trpc/client';
import pg from 'pg';
import type { AppRouter } from '../../server/trpc/router.ts';
import { freePort, log, run, start, tail, waitForHttp, type Started } from './processes.ts';

/**
 * Parley as an operator runs it: `node server/main.ts all` (or `serve` + `worker`) against its own
 * database, configured only through its documented environment, with a channel connected the way a
 * user connects one (sign up, channel.connect over tRPC against the Cloud API simulator). Nothing here
 * reaches into Parley's internals, so the harness keeps working while they change.
 */

export interface BenchDatabase {
  url: string;
  drop(): Promise<void>;
}

/** `BENCH_DATABASE_URL` as is, else a new database on the server at `adminUrl`, dropped afterwards. */
export async function benchDatabase(adminUrl: string, prefix: string): Promise<BenchDatabase> {
  const external = process.env.BENCH_DATABASE_URL;
  if (external) return { url: external, drop: async () => {} };
  const name = `${prefix}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const role = await runtimeLoginRole(url.toString());
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      try {
        await client.query(`drop database if exists ${name} with (force)`);
        if (role) await client.query(`drop role if exists ${client.escapeIdentifier(role)}`);
      } finally {
        await client.end();
      }
    },
  };
}

/**
 * The LOGIN role a migrated Parley database may create for its runtime pool (one per database,
 * recorded in app_private.runtime_login): roles are cluster-wide and outlive the database, so the
 * harness drops it with the database. None when this Parley has no such table.
 */
async function runtimeLoginRole(databaseUrl: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: databaseUrl });
  try {
    await client.connect();
    const { rows } = await client.query<{ role_name: string }>(
      'select role_name from app_private.runtime_login',
    );
    return rows[0]?.role_name;
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

export interface ParleyRun {
  url: string;
  /** pids of the web process(es) and of the worker (the same in `all` mode). */
  httpPids: number[];
  workerPids: number[];
  processes: Started[];
}

/**
 * Starts the simulator, then Parley: one `all` process, or `serve` processes (`serve` of them, behind
 * a round-robin relay when more than one) and one `worker`, on `databaseUrl`.
 */
export async function startParley(options: {
  projectRoot: string;
  databaseUrl: string;
  /** 0: one `all` process; N ≥ 1: N `serve` processes and one `worker`. */
  serve: number;
  workDir: string;
}): Promise<ParleyRun & { simulatorUrl: string }> {
  const { projectRoot, workDir } = options;
  const node = process.execPath; // the project's Node 24 (npm run puts it first on PATH)
  const processes: Started[] = [];
  const simulatorPort = await freePort();
  const simulator = start('simulator', node, ['server/whatsapp/simulator/main.ts'], {
    cwd: projectRoot,
    env: {
      ...process.env,
      SIMULATOR_PORT: String(simulatorPort),
      SIMULATOR_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    logFile: path.join(workDir, 'simulator.log'),
  });
  processes.push(simulator);
  const simulatorUrl = `http://127.0.0.1:${simulatorPort}`;

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATABASE_URL: options.databaseUrl,
    HOST: '127.0.0.1',
    PORT: String(port),
    // Every process names the address users (and Meta) reach, even behind the relay.
    PUBLIC_URL: url,
    GRAPH_API_BASE_URL: simulatorUrl,
    PARLEY_DATA_DIR: path.join(workDir, 'parley-data'),
    // One key shared by every process: "<id>:<base64 of 32 bytes>" (README, Configuration).
    PARLEY_ENCRYPTION_KEYS: `bench:${crypto.randomBytes(32).toString('base64')}`,
  };
  try {
    await run(node, ['server/main.ts', 'migrate'], { cwd: projectRoot, env });
    await waitForHttp(`${simulatorUrl}/_simulator/messages`, simulator, 60_000);
    if (options.serve === 0) {
      const all = start('parley all', node, ['server/main.ts', 'all'], {
        cwd: projectRoot,
        env,
        logFile: path.join(workDir, 'parley-all.log'),
      });
      processes.push(all);
      await waitForHttp(`${url}/readyz`, all, 120_000);
      return { url, simulatorUrl, httpPids: [all.pid], workerPids: [all.pid], processes };
    }
    const webPorts =
      options.serve === 1 ? [port] : await Promise.all(Array.from({ length: options.serve }, freePort));
    const webs = webPorts.map((webPort, i) =>
      start(`parley serve ${i + 1}`, node, ['server/main.ts', 'serve'], {
        cwd: projectRoot,
        env: { ...env, PORT: String(webPort) },
        logFile: path.join(workDir, `parley-serve-${i + 1}.log`),
      }),
    );
    processes.push(...webs);
    for (const [i, web] of webs.entries())
      await waitForHttp(`http://127.0.0.1:${webPorts[i]}/readyz`, web, 120_000);
    const httpPids = webs.map((web) => web.pid);
    if (options.serve > 1) {
      const relay = start(
        'relay',
        node,
        [path.join(projectRoot, 'bench/versus-seed/proxy.ts'), String(port), ...webPorts.map(String)],
        { cwd: projectRoot, env: process.env, logFile: path.join(workDir, 'relay.log') },
      );
      processes.push(relay);
      httpPids.push(relay.pid);
      await waitForHttp(`${url}/readyz`, relay, 30_000);
    }
    const worker = start('parley worker', node, ['server/main.ts', 'worker'], {
      cwd: projectRoot,
      env,
      logFile: path.join(workDir, 'parley-worker.log'),
    });
    processes.push(worker);
    return { url, simulatorUrl, httpPids, workerPids: [worker.pid], processes };
  } catch (error) {
    for (const started of processes.reverse()) {
      log(`${started.name} log:\n${tail(started.logFile)}`);
      await started.stop();
    }
    throw error;
  }
}

export interface ConnectedChannel {
  webhookUrl: string;
  appSecret: string;
  /** What seed-baseline's NUMBERS_JSON takes: every body names this channel's WABA and number. */
  numbers: { waba: string; pnid: string; display: string }[];
}

/** Signs up a workspace and connects the simulator's first WABA through tRPC, as the web app does. */
export async function connectChannel(parleyUrl: string): Promise<ConnectedChannel> {
  let cookie = '';
  const client = createTRPCClient<AppRouter>({
    links: [
      httpLink({
        url: `${parleyUrl}/trpc`,
        // The CSRF guard wants Parley's own origin on writes; the session rides in the cookie.
        headers: () => ({ origin: parleyUrl, ...(cookie ? { cookie } : {}) }),
        fetch: async (input, init) => {
          const response = await fetch(input, init);
          const set = response.headers.getSetCookie();
          if (set.length) cookie = set.map((line) => line.split(';')[0]).join('; ');
          return response;
        },
      }),
    ],
  });
  const suffix = crypto.randomBytes(4).toString('hex');
  await client.auth.signUp.mutate({
    email: `bench-${suffix}@example.test`,
    password: `bench-password-${suffix}`,
    displayName: 'Benchmark',
    workspaceName: 'Benchmark',
  });
  const appSecret = `bench-app-secret-${crypto.randomBytes(12).toString('hex')}`;
  const { channel } = await client.channel.connect.mutate({
    name: 'Benchmark',
    metaAppId: '900000000000001',
    appSecret,
    verifyToken: 'bench-verify-token',
    wabaId: '310000000000001', // the simulator's default WABA and token
    accessToken: 'simulator-access-token',
  });
  const numbers = channel.phoneNumbers.map((number) => ({
    waba: channel.wabaId,
    pnid: number.phoneNumberId,
    display: number.displayPhoneNumber,
  }));
  if (numbers.length === 0) throw new Error('channel.connect found no phone number on the simulated WABA');
  return { webhookUrl: channel.webhookUrl, appSecret, numbers };
}
