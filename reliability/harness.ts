// What the reliability scenarios share: Parley as a real process that can be SIGKILLed and restarted on
// the same port, every line it logs kept for the secrets check, and the figures each scenario reports.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll } from 'vitest';
import { buildTestApp, testEncryptionKeys } from '../server/test/app.ts';
import { connectTestChannel, type TestChannel } from '../server/test/channels.ts';
import { setupTestDatabase } from '../server/test/db.ts';
import { eventually } from '../server/test/eventually.ts';
import { createTenant } from '../server/test/factories.ts';
import type { Simulator } from '../server/whatsapp/simulator/simulator.ts';

export const outputDir = path.resolve(process.env.RELIABILITY_OUTPUT ?? 'dist/reliability');
export const logDir = path.join(outputDir, 'logs');
const figuresFile = path.join(outputDir, 'figures.jsonl');

/** First of the ports the suite listens on (Parley processes; the simulator takes basePort + 1000). */
export const basePort = Number(process.env.RELIABILITY_PORT ?? 3405);

/** One row of the closing figures table: a scenario's counts (0 lost, 0 duplicates…). */
export function recordFigures(scenario: string, figures: Record<string, number | string>): void {
  fs.mkdirSync(outputDir, { recursive: true });
  fs.appendFileSync(figuresFile, `${JSON.stringify({ scenario, ...figures })}\n`);
}

/** A secret the scenarios used (app secrets, tokens, passwords): the run's logs must not contain it. */
export function recordSecret(...secrets: string[]): void {
  fs.mkdirSync(outputDir, { recursive: true });
  fs.appendFileSync(path.join(outputDir, 'secrets.txt'), secrets.map((secret) => `${secret}\n`).join(''));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ParleyOptions {
  /** A name for its log file. */
  name: string;
  databaseUrl: string;
  port: number;
  /** `server/main.ts all` (the production entry, migrates on start) or reliability/parley.ts. */
  entry?: 'main' | 'harness';
  env?: Record<string, string>;
}

/**
 * A Parley process (web server and workers). `kill()` is a SIGKILL; `start()` starts it again on the
 * same port, so clients (the load generator, the simulator's webhooks) reach the new one.
 */
export class ParleyProcess {
  child: ChildProcess | undefined;
  /** Exits not asked for (a crash): the promise "no Parley process exits" is `unexpectedExits === 0`. */
  unexpectedExits = 0;
  starts = 0;
  private killing = false;
  private readonly log: fs.WriteStream;
  readonly options: ParleyOptions;

  constructor(options: ParleyOptions) {
    this.options = options;
    fs.mkdirSync(logDir, { recursive: true });
    this.log = fs.createWriteStream(path.join(logDir, `${options.name}.log`), { flags: 'a' });
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}`;
  }

  async start(): Promise<void> {
    const script = this.options.entry === 'harness' ? 'reliability/parley.ts' : 'server/main.ts';
    const child = spawn(process.execPath, [script, ...(this.options.entry === 'harness' ? [] : ['all'])], {
      env: {
        ...process.env,
        DATABASE_URL: this.options.databaseUrl,
        PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
        LOG_LEVEL: 'info',
        NODE_ENV: 'production',
        HOST: '127.0.0.1',
        PORT: String(this.options.port),
        PUBLIC_URL: `http://127.0.0.1:${this.options.port}`,
        SIGNUPS_PER_HOUR: '10000',
        ...this.options.env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    this.starts++;
    this.log.write(`\n--- start ${this.starts} (pid ${child.pid}) ---\n`);
    child.stdout?.pipe(this.log, { end: false });
    child.stderr?.pipe(this.log, { end: false });
    child.on('exit', (code, signal) => {
      this.log.write(`\n--- exit ${code ?? signal} ---\n`);
      if (!this.killing) this.unexpectedExits++;
    });
    // Generous: on a machine shared by many builds a cold start can take a minute or more.
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (child.exitCode !== null) throw new Error(`Parley ${this.options.name} exited while starting`);
      const status = await fetch(`${this.url}/readyz`)
        .then((response) => response.arrayBuffer().then(() => response.status))
        .catch(() => 0);
      if (status === 200) return;
      if (Date.now() > deadline) throw new Error(`Parley ${this.options.name} not ready after 180 s`);
      await sleep(100);
    }
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async kill(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.killing = true;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.killing = false;
  }

  async stop(): Promise<void> {
    await this.kill();
    await new Promise((resolve) => this.log.end(resolve));
  }
}

/** A workspace with a channel, written through an in-process app on the same keyring as the processes. */
export async function workspaceWithChannel(
  databaseUrl: string,
  ids: { wabaId: string; phoneNumberId: string; displayPhoneNumber: string },
): Promise<TestChannel & { tenantId: string }> {
  const app: FastifyInstance = await buildTestApp(databaseUrl);
  recordSecret(testEncryptionKeys.split(':')[1] ?? '', `token-for-${ids.wabaId}`);
  try {
    const tenant = await createTenant(app.services.pools.owner);
    const channel = await connectTestChannel(app, tenant.id, ids);
    recordSecret(channel.appSecret, channel.verifyToken);
    return { tenantId: tenant.id, ...channel };
  } finally {
    await app.close();
  }
}

/** One query as the owner on a short-lived connection (the database may have restarted meanwhile). */
export async function query<T extends pg.QueryResultRow>(
  databaseUrl: string,
  text: string,
  values: unknown[] = [],
): Promise<T[]> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** GET /readyz's status (0 when nothing answers). */
export async function readyz(url: string): Promise<number> {
  return fetch(`${url}/readyz`, { signal: AbortSignal.timeout(5_000) })
    .then((response) => response.arrayBuffer().then(() => response.status))
    .catch(() => 0);
}

/** A scenario file's database, and what the file starts (`keep`): closed after its tests. */
export function scenarioFile<T extends { close(): Promise<void> }>() {
  const db = setupTestDatabase();
  const started: T[] = [];
  afterAll(async () => {
    for (const one of started.reverse()) await one.close();
  });
  return {
    db,
    keep(one: T): T {
      started.push(one);
      return one;
    },
  };
}

export interface SentRow {
  id: string;
  body: string;
  status: string;
  send_attempts: number;
  phone_number_id: string;
  error: { kind?: string; message?: string; code?: number } | null;
}

/** The outbound messages of the workspace, as stored. */
export function outboundRows(databaseUrl: string, tenantId: string): Promise<SentRow[]> {
  return query<SentRow>(
    databaseUrl,
    `select m.id, m.body, m.status, m.send_attempts, p.phone_number_id, m.error
     from app_public.messages m
     join app_public.conversations c on c.id = m.conversation_id
     join app_public.phone_numbers p on p.id = c.phone_number_id
     where m.tenant_id = $1 and m.direction = 'outbound'`,
    [tenantId],
  );
}

/** Copies of each text that reached the simulator (what customers see), by text. */
export function copiesByText(simulator: Simulator): Map<string, number> {
  const copies = new Map<string, number>();
  for (const record of simulator.outboundMessages()) {
    const body = record.body as { type: string; text?: { body?: string } };
    const text = body.type === 'text' ? body.text?.body : undefined;
    if (text) copies.set(text, (copies.get(text) ?? 0) + 1);
  }
  return copies;
}

/**
 * Waits until the workspace's `texts` are all stored and none is pending (every one final), then for
 * the simulator's last webhooks; answers the rows, Meta's copies and the counts the send scenarios
 * report (texts that reached Meta twice, messages failed though the customer got them).
 */
export async function settledSends(
  databaseUrl: string,
  tenantId: string,
  simulator: Simulator,
  texts: string[],
  timeoutMs = 120_000,
) {
  const started = Date.now();
  const rows = await eventually(
    async () => {
      const current = await outboundRows(databaseUrl, tenantId);
      return current.length === texts.length && current.every((row) => row.status !== 'pending')
        ? current
        : undefined;
    },
    'every message to end in a final state',
    timeoutMs,
  );
  const seconds = (Date.now() - started) / 1000;
  await simulator.idle();
  const copies = copiesByText(simulator);
  const atMeta = (row: SentRow) => (copies.get(row.body) ?? 0) > 0;
  return {
    rows,
    seconds,
    copies,
    atMeta,
    duplicates: texts.filter((text) => (copies.get(text) ?? 0) > 1).length,
    failedThoughDelivered: rows.filter((row) => row.status === 'failed' && atMeta(row)).length,
  };
}

/** Why the failed messages failed: "kind: message" → count. */
export function failureReasons(rows: SentRow[]): string {
  const reasons: Record<string, number> = {};
  for (const row of rows.filter((candidate) => candidate.status === 'failed')) {
    const reason = `${row.error?.kind ?? row.error?.code ?? '?'}: ${(row.error?.message ?? '').slice(0, 60)}`;
    reasons[reason] = (reasons[reason] ?? 0) + 1;
  }
  return JSON.stringify(reasons);
}
