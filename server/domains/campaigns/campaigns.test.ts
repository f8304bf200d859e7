import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp } from '../../test/accounts.ts';
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
import { call } from '../../test/http-client.ts';
import { startSendHarness, simulatorPhoneNumberId, type SendHarness } from '../../test/send-harness.ts';

const db = setupTestDatabase();
let h: SendHarness;
let parts: { phoneNumberId: string; templateId: string };
const notOnWhatsApp = '4915100000003';

beforeAll(async () => {
  h = await startSendHarness(db.url, campaignSimulator({ notOnWhatsApp: [notOnWhatsApp] }));
  parts = await campaignParts(h);
  await unlimitedPlan(db.pools.owner, h.owner.tenantId);
});
afterAll(async () => {
  await h.close();
});

async function setThroughput(mps: number) {
  await db.pools.owner.query(
    sql.unsafe`update app_public.phone_numbers set throughput_mps = ${mps} where id = ${parts.phoneNumberId}`,
  );
}

async function createCampaign(name: string, segmentId: string, extra: Record<string, unknown> = {}) {
  const created = await h.as<{ id: string; status: string }>('campaign.create', {
    name,
    phoneNumberId: parts.phoneNumberId,
    templateId: parts.templateId,
    segmentId,
    variables: campaignVariables,
    ...extra,
  });
  expect(created.status, JSON.stringify(created.error)).toBe(200);
  return created.data.id;
}

/** How many of these numbers the simulator received a template for. */
const reached = (phones: string[]) =>
  phones.filter((phone) => sendsByRecipient(h).has(phone.slice(1))).length;

const finished = (id: string, timeoutMs = 30_000) =>
  eventually(
    async () => {
      const report = await reportOf(h, id);
      return report.status === 'completed' && report.queued === 0 ? report : undefined;
    },
    'the campaign to complete',
    timeoutMs,
  );

describe('campaigns', () => {
  it('send one template to every recipient; 131026 for one does not stop the rest, and marks the contact', async () => {
    await setThroughput(80);
    const phones = testPhones(1, 20);
    const segmentId = await listAudience(h, 'First list', phones);
    const count = await h.as<{ recipients: number }>('segment.count', { id: segmentId }, 'query');
    expect(count.data.recipients).toBe(20);

    const id = await createCampaign('Order ready', segmentId);
    await finished(id);
    const report = await eventually(async () => {
      const r = await reportOf(h, id);
      return r.delivered + r.failed === 20 ? r : undefined;
    }, 'every status');
    expect(report).toMatchObject({ total: 20, sent: 19, failed: 1, pending: 0, queued: 0 });
    expect(report.failures).toEqual([expect.objectContaining({ code: 131026, count: 1 })]);
    expect(report.pricing[0]?.category).toBe('marketing');

    const sends = sendsByRecipient(h);
    for (const phone of phones) expect(sends.get(phone.slice(1))).toBe(1);
    const [sent] = h.simulator.outboundMessages().filter((m) => m.to === phones[0]?.slice(1));
    expect(JSON.stringify(sent)).toContain('#1001');

    // The contact Meta called undeliverable is left out of the next campaign (unless insisted).
    const again = await h.as<{ recipients: number; notOnWhatsApp: number }>(
      'segment.count',
      { id: segmentId },
      'query',
    );
    expect(again.data).toMatchObject({ recipients: 19, notOnWhatsApp: 1 });

    const csv = await h.as<{ csv: string }>('campaign.exportRecipients', { id }, 'query');
    expect(csv.data.csv.split('\n')[0]).toBe('phone,name,status,error_code,error,queued_at,replied_at');
    expect(csv.data.csv).toContain(`+${notOnWhatsApp},,failed,131026`);
  });

  it('a reply lands in the inbox as a normal conversation, tagged with the campaign', async () => {
    const [phone] = testPhones(100, 1) as [string];
    const segmentId = await listAudience(h, 'Reply list', [phone]);
    const id = await createCampaign('Reply test', segmentId);
    await finished(id);
    h.simulator.customerSends(simulatorPhoneNumberId, phone.slice(1), {
      type: 'text',
      text: { body: 'Yes please' },
    });
    const report = await eventually(async () => {
      const r = await reportOf(h, id);
      return r.replied === 1 ? r : undefined;
    }, 'the reply to count');
    expect(report.replied).toBe(1);
    const conversation = await eventually(async () => {
      const list = await h.as<{ id: string; status: string; contact: { waId: string } }[]>(
        'conversation.list',
        {},
        'query',
      );
      return list.data.find((c) => c.contact.waId === phone.slice(1));
    }, 'the conversation in the inbox');
    expect(conversation.status).toBe('open');
    const tagged = await db.pools.owner.oneFirst(
      sql.unsafe`select campaign_id from app_public.conversations where id = ${conversation.id}`,
    );
    expect(tagged).toBe(id);
  });

  it(
    'pause stops sending within a second, resume goes on, and nobody gets two messages',
    { timeout: 60_000 },
    async () => {
      await setThroughput(10);
      const phones = testPhones(200, 60);
      const segmentId = await listAudience(h, 'Pause list', phones);
      const id = await createCampaign('Pausable', segmentId);
      await eventually(async () => (reached(phones) > 0 ? true : undefined), 'sending to start');
      await new Promise((resolve) => setTimeout(resolve, 1_000));

      const paused = await h.as<{ status: string }>('campaign.pause', { id });
      expect(paused.data.status).toBe('paused');
      const pausedAt = Date.now();
      const mine = () => reached(phones);
      await new Promise((resolve) => setTimeout(resolve, 1_000 - (Date.now() - pausedAt)));
      const afterOneSecond = mine();
      await new Promise((resolve) => setTimeout(resolve, 3_000));
      expect(mine()).toBe(afterOneSecond);
      expect(afterOneSecond).toBeLessThan(60);
      const during = await reportOf(h, id);
      expect(during.status).toBe('paused');
      expect(during.queued).toBe(0);

      await h.as('campaign.resume', { id });
      await finished(id, 30_000);
      const sends = sendsByRecipient(h);
      for (const phone of phones) expect(sends.get(phone.slice(1)), phone).toBe(1);
    },
  );

  it('cancel ends it: the rest are cancelled and never sent', { timeout: 30_000 }, async () => {
    await setThroughput(5);
    const phones = testPhones(300, 40);
    const segmentId = await listAudience(h, 'Cancel list', phones);
    const id = await createCampaign('Cancelled', segmentId);
    await eventually(async () => (reached(phones) > 0 ? true : undefined), 'sending to start');
    const cancelled = await h.as<{ status: string }>('campaign.cancel', { id });
    expect(cancelled.data.status).toBe('cancelled');
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const sent = reached(phones);
    const report = await reportOf(h, id);
    expect(report.cancelled).toBe(40 - sent);
    expect(sent).toBeLessThan(20);
    const again = await h.as('campaign.resume', { id });
    expect(again.status).toBe(412);
  });

  it('refuses what it cannot send, in words', async () => {
    const segmentId = await listAudience(h, 'Refusals', testPhones(400, 1));
    const unmapped = await h.as('campaign.create', {
      name: 'No values',
      phoneNumberId: parts.phoneNumberId,
      templateId: parts.templateId,
      segmentId,
    });
    expect(unmapped.status).toBe(400);
    expect(JSON.stringify(unmapped.error)).toContain('Choose a value for {{1}}, {{2}}.');
    const past = await h.as('campaign.create', {
      name: 'Past',
      phoneNumberId: parts.phoneNumberId,
      templateId: parts.templateId,
      segmentId,
      variables: campaignVariables,
      scheduledAt: '2020-01-01T09:00',
    });
    expect(past.status).toBe(400);
    const zone = await h.as('campaign.setTimeZone', { timeZone: 'Mars/Olympus' });
    expect(zone.status).toBe(400);
  });

  it('schedules at a local time in the workspace time zone', async () => {
    const zone = await h.as<{ timeZone: string }>('campaign.setTimeZone', { timeZone: 'Asia/Tokyo' });
    expect(zone.data.timeZone).toBe('Asia/Tokyo');
    const segmentId = await listAudience(h, 'Scheduled', testPhones(500, 1));
    const id = await createCampaign('Tomorrow', segmentId, { scheduledAt: '2099-06-01T09:00' });
    const campaign = await h.as<{ status: string; scheduledAt: string }>('campaign.byId', { id }, 'query');
    expect(campaign.data.status).toBe('scheduled');
    expect(new Date(campaign.data.scheduledAt).toISOString()).toBe('2099-06-01T00:00:00.000Z');
    await h.as('campaign.cancel', { id });
  });

  it('another workspace sees none of it', async () => {
    const [campaign] = (await h.as<{ id: string }[]>('campaign.list', undefined, 'query')).data;
    const [segment] = (await h.as<{ id: string }[]>('segment.list', undefined, 'query')).data;
    const other = await signUpViaHttp(h.app, { workspaceName: 'Other Shop' });
    const as = (path: string, input?: unknown, kind: 'query' | 'mutation' = 'query') =>
      call(h.app, kind, path as never, input, { cookie: other.token });
    expect((await as('campaign.list')).data).toEqual([]);
    expect((await as('segment.list')).data).toEqual([]);
    expect((await as('campaign.byId', { id: campaign?.id })).status).toBe(404);
    expect((await as('campaign.report', { id: campaign?.id })).status).toBe(404);
    expect((await as('campaign.exportRecipients', { id: campaign?.id })).status).toBe(404);
    expect((await as('campaign.pause', { id: campaign?.id }, 'mutation')).status).toBe(404);
    expect((await as('segment.count', { id: segment?.id })).status).toBe(404);
  });
});
