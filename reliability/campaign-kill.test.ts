import { describe, expect, it } from 'vitest';
import {
  campaignParts,
  campaignVariables,
  listAudience,
  orderTemplate,
  reportOf,
  sendsByRecipient,
  testPhones,
  unlimitedPlan,
} from '../server/test/campaigns.ts';
import { eventually } from '../server/test/eventually.ts';
import { call, type ProcedurePath } from '../server/test/http-client.ts';
import type { SendHarness } from '../server/test/send-harness.ts';
import { helloWorldTemplate } from '../server/whatsapp/simulator/options.ts';
import { basePort, query, recordFigures, scenarioFile, sleep } from './harness.ts';
import { startSendBed, type SendBed } from './send-bed.ts';

/**
 * Promise 3 for campaigns: the process running campaign.run and message.send is SIGKILLed several
 * times mid-campaign and started again. Each recipient gets at most one customer-visible copy, every
 * recipient ends final (sent, delivered, read or failed), and none who got the message ends failed.
 */
const file = scenarioFile<SendBed>();

const kills = Number(process.env.RELIABILITY_CAMPAIGN_KILLS ?? 3);
const recipients = 150;

describe('SIGKILL of the worker during a campaign', () => {
  it(`reaches every recipient at most once across ${kills} kills, and each ends final`, async () => {
    const bed = file.keep(
      await startSendBed({
        name: 'campaign-kill',
        databaseUrl: file.db.url,
        port: basePort + 6,
        simulatorPort: basePort + 1006,
        customers: [],
        timing: { claimSeconds: 3, reconcileSeconds: 6, backoffSeconds: 0.5 },
        templates: [helloWorldTemplate, orderTemplate],
      }),
    );
    const { simulator, parley, app, owner } = bed;
    // Slow Graph, as in the worker-kill scenario: kills land on both sides of Meta's acceptance.
    simulator.injectFault({ path: '/messages', answerDelayMs: 400, probability: 0.5, times: 100_000 });
    simulator.injectFault({ path: '/messages', delayMs: 200, probability: 0.3, times: 100_000 });
    const as = async <T>(path: ProcedurePath, input?: unknown, kind: 'query' | 'mutation' = 'mutation') =>
      call<T>(app, kind, path, input, { cookie: owner.token });
    const h = { as, simulator } as unknown as SendHarness;
    await unlimitedPlan(app.services.pools.owner, owner.tenantId);
    const parts = await campaignParts(h);
    await as('channel.setThroughput', { phoneNumberId: parts.phoneNumberId, messagesPerSecond: 20 });
    const phones = testPhones(1, recipients);
    const segmentId = await listAudience(h, 'Kill list', phones);
    const created = await as<{ id: string }>('campaign.create', {
      name: 'Under fire',
      phoneNumberId: parts.phoneNumberId,
      templateId: parts.templateId,
      segmentId,
      variables: campaignVariables,
    });
    expect(created.status, JSON.stringify(created.error)).toBe(200);

    // Each round waits for the campaign to make progress on the running process, then kills it.
    const reached = () => phones.filter((phone) => sendsByRecipient(h).has(phone.slice(1))).length;
    const reachedByKill: number[] = [];
    for (let round = 0; round < kills; round++) {
      const before = reached();
      if (!parley.running) await parley.start();
      await eventually(
        async () => (reached() > before || reached() === recipients ? true : undefined),
        'the campaign to make progress',
        90_000,
      );
      await sleep(Math.random() * 1_000);
      await parley.kill();
      reachedByKill.push(reached());
    }
    await parley.start();
    const started = Date.now();
    await eventually(
      async () => {
        const report = await reportOf(h, created.data.id);
        return report.status === 'completed' && report.queued === 0 && report.pending === 0
          ? report
          : undefined;
      },
      'the campaign to complete with every recipient final',
      150_000,
    );
    const seconds = (Date.now() - started) / 1000;
    await simulator.idle();

    const rows = await query<{ wa_id: string; status: string; error_code: number | null }>(
      file.db.url,
      `select c.wa_id, r.status, r.error_code from app_public.campaign_recipients r
       join app_public.contacts c on c.tenant_id = r.tenant_id and c.id = r.contact_id
       where r.tenant_id = $1 and r.campaign_id = $2`,
      [owner.tenantId, created.data.id],
    );
    const sends = sendsByRecipient(h);
    const duplicates = phones.filter((phone) => (sends.get(phone.slice(1)) ?? 0) > 1).length;
    const got = (row: { wa_id: string }) => (sends.get(row.wa_id) ?? 0) > 0;
    const final = rows.filter((row) => ['sent', 'delivered', 'read', 'failed'].includes(row.status));
    const failed = rows.filter((row) => row.status === 'failed');
    const failedThoughDelivered = failed.filter(got).length;
    const sentThoughNotAtMeta = final.filter((row) => row.status !== 'failed' && !got(row)).length;
    recordFigures('3 worker SIGKILL during a campaign', {
      kills,
      recipients,
      'copies at Meta': [...sends.values()].reduce((a, b) => a + b, 0),
      duplicates,
      final: final.length,
      sent: final.length - failed.length,
      failed: failed.length,
      'failed though delivered': failedThoughDelivered,
      'sent though not at Meta': sentThoughNotAtMeta,
      'reached by each kill': reachedByKill.join('/'),
      'completed s after restart': seconds.toFixed(1),
      exits: parley.unexpectedExits,
    });
    expect(rows).toHaveLength(recipients);
    expect(duplicates).toBe(0);
    expect(final).toHaveLength(recipients);
    expect(failedThoughDelivered).toBe(0);
    expect(sentThoughNotAtMeta).toBe(0);
    expect(parley.unexpectedExits).toBe(0);
  });
});
