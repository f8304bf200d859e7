// Realtime: a customer's message (signed webhook POSTed to one server process) → the event delivered
// over server-sent events to every subscribed member of that workspace, with 500 open subscriptions
// across 10 workspaces, half on each of two server processes sharing one database. Goals (DESIGN.md):
// p50 ≤ 25 ms, p99 ≤ 100 ms. The latency covers ingest (group commit), the webhook.process job
// (pg-boss, woken by NOTIFY), processing, the realtime triggers, LISTEN/NOTIFY, the node's read under
// RLS and the SSE write.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import pg from 'pg';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'slonik';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateKeySpec } from '../server/crypto/keyring.ts';
import { newSession } from '../server/domains/auth/sessions.ts';
import { createLogger } from '../server/logger.ts';
import { connectTestChannel, type TestChannel } from '../server/test/channels.ts';
import { addMember, createTenant, createUser } from '../server/test/factories.ts';
import { openSse, type SseStream } from '../server/test/sse.ts';
import { signWebhookBody } from '../server/whatsapp/signature.ts';
import { benchDatabase } from './database.ts';
import { percentile, report } from './report.ts';

const tenants = Number(process.env.BENCH_TENANTS ?? 10);
const subscriptions = Number(process.env.BENCH_SUBSCRIPTIONS ?? 500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 30);
const here = fileURLToPath(new URL('.', import.meta.url));
const root = path.join(here, '..');
const logger = createLogger('warn');
const database = await benchDatabase(logger);
const children: ChildProcess[] = [];
// BENCH_TRACE=1: the server processes mark each stage of the path (server/observability/latency-trace.ts)
// and the bench prints where the time goes, per stage, on stderr.
const tracing = process.env.BENCH_TRACE === '1';
interface TraceMark {
  trace: string;
  at: number;
  pid: number;
  appKey?: string;
  deliveryId?: string;
  deliveryIds?: string[];
  tenantId?: string;
}
const marks: TraceMark[] = [];
const epoch = (performanceNow: number) => performance.timeOrigin + performanceNow;
const streams: SseStream[] = [];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** A server process (`node server/main.ts <command>`) on its own port; resolves once it is ready. */
async function startProcess(command: 'all' | 'serve', keys: string): Promise<string> {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const child = spawn(process.execPath, ['server/main.ts', command], {
    cwd: root,
    stdio: ['ignore', 'ignore', tracing ? 'pipe' : 'inherit'],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      DATABASE_URL: database.url,
      HOST: '127.0.0.1',
      PORT: String(port),
      PUBLIC_URL: base,
      PARLEY_ENCRYPTION_KEYS: keys,
      WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '4',
      ...(tracing ? { PARLEY_LATENCY_TRACE: '1' } : {}),
    },
  });
  children.push(child);
  if (tracing && child.stderr) {
    let rest = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) {
        if (line.startsWith('{"trace"')) marks.push(JSON.parse(line) as TraceMark);
        else if (line) process.stderr.write(`${line}\n`);
      }
    });
  }
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/readyz`)).ok) return base;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${command} process did not become ready`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

interface Workspace {
  tenantId: string;
  sessionToken: string;
  channel: TestChannel;
  waba: string;
  phoneNumberId: string;
  subscribers: SseStream[];
}

/** With BENCH_TRACE=1: the median and p99 time of each stage between the webhook and the SSE client. */
function printStages(
  sent: { workspace: Workspace; started: number; acked: number; latencies: { ms: number }[] }[],
): void {
  const after = (point: string, from: number, match: (m: TraceMark) => boolean = () => true) =>
    marks.find((m) => m.trace === point && m.at >= from && match(m));
  const before = (point: string, until: number, pid: number) =>
    marks.findLast((m) => m.trace === point && m.at <= until && m.pid === pid);
  const stages = new Map<string, number[]>();
  const add = (stage: string, from: TraceMark | number | undefined, to: TraceMark | number | undefined) => {
    if (from === undefined || to === undefined) return;
    const ms = (typeof to === 'number' ? to : to.at) - (typeof from === 'number' ? from : from.at);
    stages.set(stage, [...(stages.get(stage) ?? []), ms]);
  };
  for (const message of sent) {
    const { appKey } = message.workspace.channel;
    const { tenantId } = message.workspace;
    const received = after('ingest.received', message.started - 1, (m) => m.appKey === appKey);
    if (!received) continue;
    const acked = after('ingest.acked', received.at, (m) => m.appKey === appKey);
    const deliveryId = acked?.deliveryId;
    const claimed = marks.find(
      (m) => m.trace === 'process.claimed' && deliveryId && m.deliveryIds?.includes(deliveryId),
    );
    const wake = after('ingest.wake', received.at);
    const woken = wake && after('ingest.woken', wake.at, (m) => m.pid === wake.pid);
    const start = claimed && before('process.start', claimed.at, claimed.pid);
    const run = start && before('worker.run', start.at, start.pid);
    const fetched = run && before('worker.fetched', run.at, run.pid);
    const begin = claimed && after('process.tenant.begin', claimed.at, (m) => m.tenantId === tenantId);
    const committed = begin && after('process.tenant.committed', begin.at, (m) => m.tenantId === tenantId);
    const finished = claimed && after('process.finished', claimed.at, (m) => m.pid === claimed.pid);
    add('1 client → server received', message.started, received);
    add('2 received → acked (group commit)', received, acked);
    add('3a received → wake NOTIFY sent', received, wake);
    add('3b wake NOTIFY round trip', wake, woken);
    add('4 acked → worker fetched', acked, fetched);
    add('5 fetched → processing starts', fetched, start);
    add('6 start → claimed', start, claimed);
    add('7 claimed → tenant tx begins', claimed, begin);
    add('8 tenant tx begin → committed', begin, committed);
    add('8b processing start → finished', start, finished);
    for (const pid of new Set(marks.map((m) => m.pid))) {
      const notified =
        committed && after('hub.notified', committed.at - 5, (m) => m.pid === pid && m.tenantId === tenantId);
      const readDone =
        notified && after('hub.readDone', notified.at, (m) => m.pid === pid && m.tenantId === tenantId);
      const process = pid === marks.find((m) => m.trace === 'worker.fetched')?.pid ? 'A' : 'B';
      add(`9${process} committed → hub notified`, committed, notified);
      add(`10${process} notified → read done`, notified, readDone);
    }
    const arrivals = message.latencies.map((l) => message.started + l.ms);
    add('11 tenant committed → first SSE', committed, Math.min(...arrivals));
    add('12 tenant committed → last SSE', committed, Math.max(...arrivals));
    add('all: client → last SSE', message.started, Math.max(...arrivals));
  }
  for (const [stage, values] of [...stages].sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true })))
    process.stderr.write(
      `${stage.padEnd(40)} p50 ${percentile(values, 50).toFixed(1).padStart(7)} ms  p99 ${percentile(values, 99).toFixed(1).padStart(7)} ms  n=${values.length}\n`,
    );
}

try {
  const keys = generateKeySpec('bench');
  const config = loadConfig({ NODE_ENV: 'production', LOG_LEVEL: 'warn', PARLEY_ENCRYPTION_KEYS: keys });
  // Workspaces, owners with a session each, and a channel each, written by an app that then closes.
  const setup = await buildApp({ config, logger, databaseUrl: database.url, workers: false, http: true });
  const workspaces: Workspace[] = [];
  for (let t = 0; t < tenants; t++) {
    const tenant = await createTenant(setup.services.pools.owner);
    const user = await createUser(setup.services.pools.owner);
    await addMember(setup.services.pools, tenant.id, user.id, 'owner');
    const session = newSession();
    await setup.services.pools.owner.query(sql.unsafe`
      insert into app_private.sessions (id, user_id, active_tenant_id, expires_at)
      values (${session.id}, ${user.id}, ${tenant.id}, ${session.expiresAt.toISOString()})`);
    const waba = `3100000000001${String(t).padStart(2, '0')}`;
    const phoneNumberId = `4200000000001${String(t).padStart(2, '0')}`;
    const channel = await connectTestChannel(setup, tenant.id, {
      wabaId: waba,
      phoneNumberId,
      displayPhoneNumber: `155501${String(t).padStart(5, '0')}`,
    });
    workspaces.push({
      tenantId: tenant.id,
      sessionToken: session.token,
      channel,
      waba,
      phoneNumberId,
      subscribers: [],
    });
  }
  await setup.close();

  // Two server processes on the database: A runs the workers and receives the webhooks; subscribers
  // are spread over A and B, so half the deliveries cross processes through LISTEN/NOTIFY.
  const [processA, processB] = await Promise.all([startProcess('all', keys), startProcess('serve', keys)]);
  const where = new Map<SseStream, 'A' | 'B'>();
  for (let i = 0; i < subscriptions; i++) {
    const workspace = workspaces[i % tenants];
    if (!workspace) continue;
    const on = i % 2 === 0 ? 'A' : 'B';
    const stream = await openSse(
      on === 'A' ? processA : processB,
      'events.live',
      {},
      {
        cookie: workspace.sessionToken,
      },
    );
    where.set(stream, on);
    streams.push(stream);
    workspace.subscribers.push(stream);
  }
  await Promise.all(
    streams.map((s) => s.next((m) => (m.data as { type?: string }).type === 'ready', 30_000)),
  );

  const template = await fs.readFile(
    path.join(root, 'server/test/fixtures/whatsapp/webhooks/text.json'),
    'utf8',
  );
  let sent = 0;
  const created = (stream: SseStream) =>
    stream.messages.filter((m) => (m.data as { kind?: string }).kind === 'message.created');
  /** One customer message to a workspace; resolves with each subscriber's delivery latency. */
  async function oneMessage(workspace: Workspace): Promise<{ ms: number; on: 'A' | 'B' }[]> {
    sent += 1;
    const before = new Map(workspace.subscribers.map((s) => [s, created(s).length]));
    const body = template
      .replaceAll('310000000000001', workspace.waba)
      .replaceAll('420000000000001', workspace.phoneNumberId)
      .replace('000000000001AA==', `${String(sent).padStart(12, '0')}RT==`)
      .replaceAll('15550123456', `1555${String(1_000_000 + (sent % 300)).padStart(7, '0')}`)
      .replace('"user_id": "US.7731946620185347712",', '');
    const started = performance.now();
    const response = await fetch(`${processA}/webhooks/whatsapp/${workspace.channel.appKey}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-hub-signature-256': signWebhookBody(workspace.channel.appSecret, body),
      },
      body,
    });
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}`);
    const acked = performance.now();
    const latencies = await Promise.all(
      workspace.subscribers.map(async (stream) => {
        const index = before.get(stream) ?? 0;
        await stream.next(() => created(stream).length > index, 10_000);
        const arrived = created(stream)[index]?.receivedAt ?? Number.NaN;
        return { ms: arrived - started, on: where.get(stream) ?? 'A' };
      }),
    );
    sentMessages.push({ workspace, started: epoch(started), acked: epoch(acked), latencies });
    return latencies;
  }
  const sentMessages: {
    workspace: Workspace;
    started: number;
    acked: number;
    latencies: { ms: number; on: 'A' | 'B' }[];
  }[] = [];

  /** The bus alone: an event recorded in a tenant transaction → delivered to each subscriber. */
  const busClient = new pg.Client({ connectionString: database.url });
  await busClient.connect();
  async function oneEvent(workspace: Workspace): Promise<number[]> {
    const kind = (m: { data: unknown }) => (m.data as { kind?: string }).kind === 'assignment.changed';
    const before = new Map(workspace.subscribers.map((s) => [s, s.messages.filter(kind).length]));
    const started = performance.now();
    await busClient.query('begin');
    await busClient.query(`select set_config('app.tenant_id', $1, true)`, [workspace.tenantId]);
    await busClient.query(
      `select app_public.record_realtime_event('assignment.changed', array[gen_random_uuid()])`,
    );
    await busClient.query('commit');
    return Promise.all(
      workspace.subscribers.map(async (stream) => {
        const index = before.get(stream) ?? 0;
        await stream.next(() => stream.messages.filter(kind).length > index, 10_000);
        return (stream.messages.filter(kind)[index]?.receivedAt ?? Number.NaN) - started;
      }),
    );
  }
  const bus: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const workspace of workspaces) bus.push(...(await oneEvent(workspace)));
  }
  await busClient.end();

  // Warm-up (JIT, connections), then rounds of one message per workspace at once.
  for (const workspace of workspaces) await oneMessage(workspace);
  const samples: { ms: number; on: 'A' | 'B' }[] = [];
  for (let round = 0; round < rounds; round++) {
    samples.push(...(await Promise.all(workspaces.map(oneMessage))).flat());
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  if (tracing) printStages(sentMessages.slice(tenants));
  const all = samples.map((s) => s.ms);
  const onA = samples.filter((s) => s.on === 'A').map((s) => s.ms);
  const onB = samples.filter((s) => s.on === 'B').map((s) => s.ms);
  const p50 = percentile(all, 50);
  const p99 = percentile(all, 99);
  report('realtime', {
    subscriptions: streams.length,
    tenants,
    server_processes: 2,
    webhooks: rounds * tenants,
    deliveries: samples.length,
    p50_ms: p50,
    p99_ms: p99,
    max_ms: percentile(all, 100),
    bus_only_p50_ms: percentile(bus, 50),
    bus_only_p99_ms: percentile(bus, 99),
    p50_same_process_ms: percentile(onA, 50),
    p99_same_process_ms: percentile(onA, 99),
    p50_other_process_ms: percentile(onB, 50),
    p99_other_process_ms: percentile(onB, 99),
    goal_p50_ms: 25,
    goal_p99_ms: 100,
    met: p50 <= 25 && p99 <= 100 ? 'yes' : 'no',
  });
} finally {
  for (const stream of streams) stream.close();
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
        }),
    ),
  );
  await database.close();
}
