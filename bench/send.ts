// Send pipeline: messages queued through the outbox (procedure path: queueOutboundMessage) and sent by
// one worker node to the simulator over HTTP, paced by the SQL buckets. Two phases:
//   1. a number at Meta's top throughput (1,000 msg/s): msgs_per_s at the simulator (goal ≥ 1,000,
//      i.e. limited by the bucket, not by Parley);
//   2. a number at the default 80 msg/s, 2,000 messages: the pace Meta saw vs 80 (rate_error_pct, goal
//      ≤ 2 %).
// Both: throttle_errors (130429 + 131056 answered by the simulator, goal 0) and duplicates (messages
// Meta received twice, goal 0). Run: npm run bench -- send
import os from 'node:os';
import { sql } from 'slonik';
import { z } from 'zod';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateKeySpec } from '../server/crypto/keyring.ts';
import { withTenant } from '../server/db/tx.ts';
import { buildText } from '../server/domains/messages/payload-builders.ts';
import { queueOutboundMessage } from '../server/domains/messages/service.ts';
import { withTenantOutbox } from '../server/jobs/outbox.ts';
import { createLogger } from '../server/logger.ts';
import { connectTestChannel } from '../server/test/channels.ts';
import { createTenant } from '../server/test/factories.ts';
import { createSimulator } from '../server/whatsapp/simulator/simulator.ts';
import { CpuMeter } from './cpu.ts';
import { benchDatabase } from './database.ts';
import { report } from './report.ts';

const fastMessages = Number(process.env.BENCH_SEND_FAST ?? 3000);
const paceMessages = Number(process.env.BENCH_SEND_PACED ?? 2000);
const logger = createLogger('warn');
const database = await benchDatabase(logger);

const fast = {
  wabaId: '310000000000001',
  phoneNumberId: '420000000000001',
  displayPhoneNumber: '15550101010',
};
const paced = {
  wabaId: '310000000000002',
  phoneNumberId: '420000000000002',
  displayPhoneNumber: '15550102020',
};

const simulator = createSimulator({
  seed: 'bench-send',
  // Statuses are not what this measures; the simulator has no webhook target, so none are posted.
  statusDelaysMs: { sent: 0, delivered: 0, read: null },
  wabas: [
    {
      id: fast.wabaId,
      phoneNumbers: [
        {
          id: fast.phoneNumberId,
          displayPhoneNumber: fast.displayPhoneNumber,
          verifiedName: 'Fast',
          throughputPerSecond: 1000,
        },
      ],
    },
    {
      id: paced.wabaId,
      phoneNumbers: [
        {
          id: paced.phoneNumberId,
          displayPhoneNumber: paced.displayPhoneNumber,
          verifiedName: 'Paced',
          throughputPerSecond: 80,
        },
      ],
    },
  ],
  tokens: [
    { token: `token-for-${fast.wabaId}`, wabaIds: [fast.wabaId] },
    { token: `token-for-${paced.wabaId}`, wabaIds: [paced.wabaId] },
  ],
});

try {
  const graphUrl = await simulator.listen();
  const app = await buildApp({
    config: loadConfig({
      NODE_ENV: 'production',
      LOG_LEVEL: 'warn',
      PARLEY_ENCRYPTION_KEYS: generateKeySpec('bench'),
      GRAPH_API_BASE_URL: graphUrl,
      WORKER_CONCURRENCY: process.env.WORKER_CONCURRENCY ?? '8',
      DATABASE_POOL_SIZE: '60',
    }),
    logger,
    databaseUrl: database.url,
    workers: true,
  });
  const owner = app.services.pools.owner;
  const tenant = await createTenant(owner);
  // A plan that does not limit the run: the number's throughput does.
  await owner.query(sql.unsafe`
    insert into app_private.plans (id, name, messages_per_minute, monthly_conversations, seats, channels)
    values ('bench', 'Bench', 1000000, 100000000, 10, 10)
  `);
  await owner.query(sql.unsafe`update app_private.tenants set plan_id = 'bench' where id = ${tenant.id}`);

  /** Queues `count` texts on a number, one per customer, in one transaction: the jobs appear at once. */
  async function queue(ids: typeof fast, count: number, throughput: number, prefix: string) {
    const channel = await connectTestChannel(app, tenant.id, ids);
    await owner.query(sql.unsafe`
      update app_public.phone_numbers set throughput_mps = ${throughput} where id = ${channel.phoneNumberUuid}
    `);
    const conversations = await withTenant(app.services.pools.app, tenant.id, async (tx) => {
      const made: string[] = [];
      for (let i = 0; i < count; i++) {
        const contact = await tx.oneFirst(
          sql.type(
            z.object({ id: z.string() }),
          )`select app_public.upsert_contact(${`${prefix}${String(i).padStart(6, '0')}`}, null, null, null) as id`,
        );
        made.push(
          await tx.oneFirst(
            sql.type(
              z.object({ id: z.string() }),
            )`select app_public.upsert_conversation(${channel.phoneNumberUuid}, ${contact}) as id`,
          ),
        );
      }
      return made;
    });
    // Every customer wrote a moment ago: the window is open.
    await owner.query(sql.unsafe`
      update app_public.conversations set last_inbound_at = now() where phone_number_id = ${channel.phoneNumberUuid}
    `);
    await withTenantOutbox(
      owner,
      app.services.boss,
      { tenantId: tenant.id, userId: null },
      async (tx, outbox) => {
        for (const [i, conversationId] of conversations.entries()) {
          await queueOutboundMessage(tx, outbox, {
            tenantId: tenant.id,
            conversationId,
            built: buildText({ conversationId, text: `Bench message ${prefix} ${i}`, previewUrl: false }),
          });
        }
      },
    );
    return channel.phoneNumberUuid;
  }

  async function drained(phoneNumberUuid: string) {
    for (;;) {
      const left = await owner.oneFirst(sql.type(z.object({ left: z.boolean() }))`
        select exists (
          select 1 from app_public.messages m join app_public.conversations c on c.id = m.conversation_id
          where c.phone_number_id = ${phoneNumberUuid} and m.status = 'pending' and m.wamid is null
        ) as left
      `);
      if (!left) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** Messages per second as Meta received them: (n − 1) over the time from first to last accept. */
  function paceAtMeta(phoneNumberId: string) {
    const times = simulator
      .outboundMessages()
      .filter((m) => m.phoneNumberId === phoneNumberId)
      .map((m) => m.acceptedAt)
      .sort((a, b) => a - b);
    const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    if (process.env.BENCH_SEND_GAPS) {
      const gaps = times.slice(1).map((at, k) => ({ k, ms: at - (times[k] ?? 0) }));
      gaps.sort((a, b) => b.ms - a.ms);
      step(`longest gaps at Meta (ms, after message k): ${JSON.stringify(gaps.slice(0, 12))}`);
    }
    return { count: times.length, perSecond: span > 0 ? (times.length - 1) / span : 0 };
  }

  const step = (what: string) => process.stderr.write(`send bench: ${what}\n`);
  /** The machine's 1-minute load average, sampled every second of the run (this box is shared). */
  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(os.loadavg()[0] ?? 0), 1000);
  step(`queueing ${fastMessages} at 1,000 msg/s`);
  const fastNumber = await queue(fast, fastMessages, 1000, '4670');
  step('sending');
  const meter = await CpuMeter.open(database.url);
  const cpuBefore = await meter.sample();
  await drained(fastNumber);
  const cpu = CpuMeter.used(cpuBefore, await meter.sample());
  await meter.close();
  /** CPU milliseconds per message of the 1,000 msg/s phase: what caps the rate on a busy machine. */
  const perMessage = (us: number) => Math.round(us / 10 / fastMessages) / 100;
  step(`queueing ${paceMessages} at 80 msg/s`);
  const fastPace = paceAtMeta(fast.phoneNumberId);

  const pacedNumber = await queue(paced, paceMessages, 80, '4680');
  step('sending');
  await drained(pacedNumber);
  const pacedPace = paceAtMeta(paced.phoneNumberId);

  const failed = await owner.oneFirst(
    sql.type(
      z.object({ n: z.number() }),
    )`select count(*)::int as n from app_public.messages where status = 'failed'`,
  );
  const tags = simulator.outboundMessages().map((m) => m.body.biz_opaque_callback_data);
  const refusals = simulator.sendRefusals();
  clearInterval(sampler);
  await app.close();

  report('send', {
    messages: fastMessages + paceMessages,
    msgs_per_s: Math.round(fastPace.perSecond),
    msgs_per_s_goal: 1000,
    paced_msgs_per_s: Math.round(pacedPace.perSecond * 100) / 100,
    rate_error_pct: Math.round((Math.abs(pacedPace.perSecond - 80) / 80) * 10_000) / 100,
    rate_error_pct_goal: 2,
    throttle_errors: refusals[130429] + refusals[131056],
    duplicates: tags.length - new Set(tags).size,
    failed,
    delivered_to_meta: fastPace.count + pacedPace.count,
    node_cpu_ms_per_msg: perMessage(cpu.nodeUs),
    pg_cpu_ms_per_msg: perMessage(cpu.pgBackendUs),
    worker_concurrency: app.services.config.workerConcurrency,
    cores: os.availableParallelism(),
    load_avg_1m:
      Math.round((loads.reduce((sum, load) => sum + load, 0) / Math.max(1, loads.length)) * 10) / 10,
    load_avg_1m_max: Math.round(Math.max(0, ...loads) * 10) / 10,
  });
} finally {
  await simulator.close();
  await database.close();
}
