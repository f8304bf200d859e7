import { spawn, type ChildProcess } from 'node:child_process';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp } from '../../test/app.ts';
import {
  campaignParts,
  campaignSimulator,
  campaignVariables,
  listAudience,
  reportOf,
  sendsByRecipient,
  testPhones,
  unlimitedPlan,
} from '../../test/campaigns.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { call, type ProcedurePath } from '../../test/http-client.ts';
import type { SendHarness } from '../../test/send-harness.ts';
import { createSimulator } from '../../whatsapp/simulator/simulator.ts';

/**
 * Exactly once across a crash: the web app runs here without workers; the workers run in a child
 * process, killed with SIGKILL mid-campaign and started again. Every recipient gets one message.
 */
const db = setupTestDatabase();
const simulator = createSimulator({
  seed: 21,
  statusDelaysMs: { sent: 5, delivered: 15, read: null },
  ...campaignSimulator(),
});
let graphUrl: string;
let app: FastifyInstance;
let owner: SignedUp;
const children: ChildProcess[] = [];

function startWorker(): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['server/test/campaign-worker.ts', db.url, graphUrl], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    if (process.env.TEST_LOG_LEVEL) process.stderr.write(chunk);
  });
  return eventually(
    async () => (output.includes('ready') ? child : undefined),
    'the worker to start',
    60_000,
  );
}

beforeAll(async () => {
  graphUrl = await simulator.listen();
  app = await buildTestApp(db.url, { workers: false, env: { GRAPH_API_BASE_URL: graphUrl } });
  const parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  owner = await signUpViaHttp(app, { workspaceName: 'Crash Shop' });
  await unlimitedPlan(app.services.pools.owner, owner.tenantId);
  const connected = await call(
    app,
    'mutation',
    'channel.connect',
    {
      name: 'Main number',
      metaAppId: '900000000000001',
      appSecret: 'crash-app-secret-0123456789',
      verifyToken: 'crash-verify-token',
      wabaId: '310000000000001',
      accessToken: simulator.accessToken,
    },
    { cookie: owner.token },
  );
  expect(connected.status, JSON.stringify(connected.error)).toBe(200);
  const [channel] = (
    await call<{ webhookUrl: string }[]>(app, 'query', 'channel.list', undefined, { cookie: owner.token })
  ).data;
  simulator.setWebhookTarget({
    url: `${parleyUrl}${new URL(channel?.webhookUrl ?? '').pathname}`,
    appSecret: 'crash-app-secret-0123456789',
  });
}, 60_000);
afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
  await app.close();
  await simulator.close();
});

describe('a campaign whose worker is killed', () => {
  it(
    'sends every recipient exactly one message after a SIGKILL and a restart',
    { timeout: 150_000 },
    async () => {
      const as = async <T>(path: ProcedurePath, input?: unknown, kind: 'query' | 'mutation' = 'mutation') =>
        call<T>(app, kind, path, input, { cookie: owner.token });
      const h = { as, simulator } as unknown as SendHarness;
      const parts = await campaignParts(h);
      await as('channel.setThroughput', { phoneNumberId: parts.phoneNumberId, messagesPerSecond: 20 });
      const phones = testPhones(1, 200);
      const segmentId = await listAudience(h, 'Crash list', phones);
      const created = await as<{ id: string }>('campaign.create', {
        name: 'Crash',
        phoneNumberId: parts.phoneNumberId,
        templateId: parts.templateId,
        segmentId,
        variables: campaignVariables,
      });
      expect(created.status, JSON.stringify(created.error)).toBe(200);

      const first = await startWorker();
      const reached = () => phones.filter((phone) => sendsByRecipient(h).has(phone.slice(1))).length;
      await eventually(
        async () => (reached() >= 40 ? true : undefined),
        'the campaign to be under way',
        60_000,
      );
      first.kill('SIGKILL');
      await new Promise((resolve) => first.on('exit', resolve));
      const atKill = reached();
      expect(atKill).toBeLessThan(200);

      await startWorker();
      const report = await eventually(
        async () => {
          const r = await reportOf(h, created.data.id);
          return r.status === 'completed' && r.queued === 0 ? r : undefined;
        },
        'the campaign to complete on the restarted worker',
        90_000,
      );
      expect(report.total).toBe(200);
      const sends = sendsByRecipient(h);
      const duplicates = phones.filter((phone) => (sends.get(phone.slice(1)) ?? 0) > 1);
      expect(duplicates).toEqual([]);
      // A message whose Graph call was under way when the process died is never sent blindly again:
      // Meta's status webhooks tell whether it arrived, else it fails as "most likely not sent".
      const unknown = report.failures.find((failure) => failure.code === null)?.count ?? 0;
      expect(reached() + unknown).toBe(200);
      expect(report.sent + report.failed).toBe(200);
    },
  );
});
