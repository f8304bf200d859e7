// Campaigns (issue 21): a 10,000-recipient campaign created by the campaign service (segment over
// tagged contacts, approved template with a variable from the contact's name) and run by the
// campaign.run job through the outbox and the per-number token bucket to the simulator. Two phases:
//   1. a number at Meta's default 80 msg/s: seconds from the first to the last message Meta accepted
//      (goal 125 s ± 3 %: 10,000 / 80), and from creating the campaign to its completion;
//   2. a number at 1,000 msg/s: msg/s sustained at Meta (goal ≥ 950).
// Both: 130429 answers (throughput exceeded, goal 0) and duplicates (recipients Meta received more
// than one message for, goal 0). Run: npm run bench -- campaign (BENCH_CAMPAIGN_RECIPIENTS).
import os from 'node:os';
import { sql } from 'slonik';
import { z } from 'zod';
import { buildApp } from '../server/app.ts';
import { loadConfig } from '../server/config.ts';
import { generateKeySpec } from '../server/crypto/keyring.ts';
import { withTenant } from '../server/db/tx.ts';
import { createCampaign } from '../server/domains/campaigns/service.ts';
import { withTenantOutbox } from '../server/jobs/outbox.ts';
import { createLogger } from '../server/logger.ts';
import { connectTestChannel } from '../server/test/channels.ts';
import { createTenant } from '../server/test/factories.ts';
import type { TemplateSeed } from '../server/whatsapp/simulator/options.ts';
import { createSimulator } from '../server/whatsapp/simulator/simulator.ts';
import { CpuMeter } from './cpu.ts';
import { benchDatabase } from './database.ts';
import { report } from './report.ts';

const recipients = Number(process.env.BENCH_CAMPAIGN_RECIPIENTS ?? 10_000);
const logger = createLogger('warn');
const database = await benchDatabase(logger);

const template: TemplateSeed = {
  name: 'weekly_offer',
  language: 'en_US',
  category: 'MARKETING',
  status: 'APPROVED',
  parameterFormat: 'POSITIONAL',
  components: [
    { type: 'BODY', text: 'Hi {{1}}, this week’s offer is yours.', example: { body_text: [['Ada']] } },
  ],
};
const numbers = {
  paced: { wabaId: '310000000000001', phoneNumberId: '420000000000001', displayPhoneNumber: '15550101010' },
  fast: { wabaId: '310000000000002', phoneNumberId: '420000000000002', displayPhoneNumber: '15550102020' },
};

const simulator = createSimulator({
  seed: 'bench-campaign',
  // A recipient is done when Meta says "sent" (a status webhook to Parley); nobody reads.
  statusDelaysMs: { sent: 0, delivered: 0, read: null },
  wabas: [
    {
      id: numbers.paced.wabaId,
      phoneNumbers: [
        { ...numbers.paced, id: numbers.paced.phoneNumberId, verifiedName: 'Paced', throughputPerSecond: 80 },
      ],
      templates: [template],
    },
    {
      id: numbers.fast.wabaId,
      phoneNumbers: [
        { ...numbers.fast, id: numbers.fast.phoneNumberId, verifiedName: 'Fast', throughputPerSecond: 1000 },
      ],
      templates: [template],
    },
  ],
  tokens: [
    { token: `token-for-${numbers.paced.wabaId}`, wabaIds: [numbers.paced.wabaId] },
    { token: `token-for-${numbers.fast.wabaId}`, wabaIds: [numbers.fast.wabaId] },
  ],
});

const step = (what: string) => process.stderr.write(`campaign bench: ${what}\n`);

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
  const parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const owner = app.services.pools.owner;
  const tenant = await createTenant(owner);
  // A plan that does not limit the run: the number's throughput does.
  await owner.query(sql.unsafe`
    insert into app_private.plans (id, name, messages_per_minute, monthly_conversations, seats, channels)
    values ('bench', 'Bench', 1000000, 100000000, 10, 10)
  `);
  await owner.query(sql.unsafe`update app_private.tenants set plan_id = 'bench' where id = ${tenant.id}`);
  const inTenant = <T>(fn: Parameters<typeof withTenant<T>>[2]) =>
    withTenant(app.services.pools.app, tenant.id, fn);
  const ctx = {
    tenantId: tenant.id,
    actor: { userId: null },
    withTenant: inTenant,
    withOutbox: <T>(fn: Parameters<typeof withTenantOutbox<T>>[3]) =>
      withTenantOutbox(owner, app.services.boss, { tenantId: tenant.id, userId: null }, fn),
  };

  /**
   * The number (at `throughput` msg/s), its approved template (as a sync stores it), `recipients`
   * contacts tagged `tag` and a segment of that tag: the campaign's parts.
   */
  async function prepare(ids: typeof numbers.paced, throughput: number, tag: string, prefix: string) {
    const channel = await connectTestChannel(app, tenant.id, ids);
    simulator.setWebhookTarget(
      { url: `${parleyUrl}/webhooks/whatsapp/${channel.appKey}`, appSecret: channel.appSecret },
      ids.wabaId,
    );
    await owner.query(sql.unsafe`
      update app_public.phone_numbers set throughput_mps = ${throughput} where id = ${channel.phoneNumberUuid}`);
    return inTenant(async (tx) => {
      const templateId = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
        insert into app_public.templates (tenant_id, channel_id, name, language, category, status, components)
        values (${tenant.id}, ${channel.channelId}, ${template.name}, ${template.language}, ${template.category},
                'APPROVED', ${sql.jsonb(template.components as never)})
        returning id`);
      await tx.query(sql.unsafe`
        insert into app_public.contacts (tenant_id, wa_id, name, country, tags, opted_in_at, opt_in_source)
        select ${tenant.id}, ${prefix} || lpad(n::text, 8, '0'), 'Customer ' || n, 'DE', array[${tag}::text], now(), 'bench'
        from generate_series(1, ${recipients}) n`);
      const segmentId = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
        insert into app_public.segments (tenant_id, name, kind, filter)
        values (${tenant.id}, ${tag}, 'filter', ${sql.jsonb({ tags: { any: [tag] } })})
        returning id`);
      return { phoneNumberId: channel.phoneNumberUuid, templateId, segmentId };
    });
  }

  const statusOf = (id: string) =>
    owner.one(sql.type(z.object({ status: z.string(), finished: z.boolean() }))`
      select status, finished_at is not null as finished from app_public.campaigns where id = ${id}`);

  /** Creates the campaign (sent at once) and waits for it to complete; wall seconds. */
  async function run(parts: Awaited<ReturnType<typeof prepare>>, name: string) {
    const started = performance.now();
    const campaign = await createCampaign(ctx, {
      name,
      ...parts,
      includeNotOnWhatsApp: false,
      variables: { body: { '1': { source: 'first_name', value: '', fallback: 'there' } }, buttons: {} },
    });
    for (;;) {
      const { status, finished } = await statusOf(campaign.id);
      if (finished) {
        if (status !== 'completed') throw new Error(`campaign ${name} ended ${status}`);
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    return (performance.now() - started) / 1000;
  }

  /** First-to-last accept at Meta for this number: seconds, and messages per second ((n − 1) / span). */
  function atMeta(phoneNumberId: string) {
    const sends = simulator.outboundMessages().filter((m) => m.phoneNumberId === phoneNumberId);
    const times = sends.map((m) => m.acceptedAt).sort((a, b) => a - b);
    const span = ((times.at(-1) ?? 0) - (times[0] ?? 0)) / 1000;
    return {
      count: sends.length,
      seconds: Math.round(span * 100) / 100,
      perSecond: span > 0 ? Math.round(((times.length - 1) / span) * 10) / 10 : 0,
      duplicates: sends.length - new Set(sends.map((m) => m.to)).size,
    };
  }

  const loads: number[] = [];
  const sampler = setInterval(() => loads.push(os.loadavg()[0] ?? 0), 1000);
  step(`preparing ${recipients} contacts per number`);
  const paced = await prepare(numbers.paced, 80, 'bench-80', '4915180');
  const fast = await prepare(numbers.fast, 1000, 'bench-1000', '4915190');

  step(`running ${recipients} recipients at 80 msg/s (≈ ${Math.round(recipients / 80)} s)`);
  const pacedWall = await run(paced, 'Paced');
  const pacedMeta = atMeta(numbers.paced.phoneNumberId);

  step(`running ${recipients} recipients at 1,000 msg/s`);
  const meter = await CpuMeter.open(database.url);
  const cpuBefore = await meter.sample();
  const fastWall = await run(fast, 'Fast');
  const cpu = CpuMeter.used(cpuBefore, await meter.sample());
  await meter.close();
  const fastMeta = atMeta(numbers.fast.phoneNumberId);

  const refusals = simulator.sendRefusals();
  clearInterval(sampler);
  await app.close();
  const expected = recipients / 80;
  /** CPU milliseconds per message of the 1,000 msg/s phase. */
  const perMessage = (us: number) => Math.round(us / 10 / recipients) / 100;
  report('campaign', {
    recipients,
    paced_delivered_to_meta: pacedMeta.count,
    paced_seconds_at_meta: pacedMeta.seconds,
    paced_seconds_goal: expected,
    paced_error_pct: Math.round((Math.abs(pacedMeta.seconds - expected) / expected) * 10_000) / 100,
    paced_error_pct_goal: 3,
    paced_wall_seconds: Math.round(pacedWall * 10) / 10,
    fast_delivered_to_meta: fastMeta.count,
    fast_msgs_per_s: fastMeta.perSecond,
    fast_msgs_per_s_goal: 950,
    fast_wall_seconds: Math.round(fastWall * 10) / 10,
    throttle_errors_130429: refusals[130429],
    duplicates: pacedMeta.duplicates + fastMeta.duplicates,
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
