import { sql, type DatabasePool } from 'slonik';
import { expect } from 'vitest';
import { defaultWabas, helloWorldTemplate, type TemplateSeed } from '../whatsapp/simulator/options.ts';
import type { SimulatorOptions } from '../whatsapp/simulator/options.ts';
import { eventually } from './eventually.ts';
import type { SendHarness } from './send-harness.ts';

/** A marketing template with two body variables, as campaigns send it. */
export const orderTemplate: TemplateSeed = {
  name: 'order_ready',
  language: 'en_US',
  category: 'MARKETING',
  status: 'APPROVED',
  parameterFormat: 'POSITIONAL',
  components: [
    {
      type: 'BODY',
      text: 'Hi {{1}}, your order {{2}} is ready.',
      example: { body_text: [['Ada', '#42']] },
    },
  ],
};

/** Simulator options with the campaign template on the default number's account. */
export function campaignSimulator(options: SimulatorOptions = {}): SimulatorOptions {
  const [first, ...rest] = defaultWabas;
  return {
    wabas: [
      { ...(first as (typeof defaultWabas)[number]), templates: [helloWorldTemplate, orderTemplate] },
      ...rest,
    ],
    ...options,
  };
}

/** `count` distinct test numbers (E.164 with +) starting at `from`. */
export const testPhones = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => `+49151${String(from + index).padStart(8, '0')}`);

/** The workspace's number (Parley's id) and the campaign template's id, once synced. */
export async function campaignParts(h: SendHarness) {
  const [channel] = (
    await h.as<{ phoneNumbers: { id: string; phoneNumberId: string }[] }[]>(
      'channel.list',
      undefined,
      'query',
    )
  ).data;
  const phone = channel?.phoneNumbers.find((p) => p.phoneNumberId === '420000000000001');
  expect(phone).toBeDefined();
  const template = await eventually(async () => {
    const list = await h.as<{ id: string; name: string; status: string }[]>('template.list', {}, 'query');
    return list.data.find((t) => t.name === orderTemplate.name && t.status === 'APPROVED');
  }, 'the campaign template to sync');
  return { phoneNumberId: phone?.id as string, templateId: template.id };
}

/** An uploaded list of numbers as an audience; its id. */
export async function listAudience(h: SendHarness, name: string, phones: string[]): Promise<string> {
  const created = await h.as<{ segment: { id: string } }>('segment.create', { kind: 'list', name, phones });
  expect(created.status, JSON.stringify(created.error)).toBe(200);
  return created.data.segment.id;
}

export interface Report {
  status: string;
  total: number;
  pending: number;
  queued: number;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  skipped: number;
  cancelled: number;
  failures: { code: number | null; count: number }[];
  pricing: { category: string; messages: number }[];
  costUsd: number;
}

export const reportOf = async (h: SendHarness, id: string) =>
  (await h.as<Report>('campaign.report', { id }, 'query')).data;

export const campaignVariables = {
  body: {
    '1': { source: 'first_name', fallback: 'there' },
    '2': { source: 'text', value: '#1001' },
  },
};

/** Template sends the simulator accepted, per recipient (wa_id without +). */
export function sendsByRecipient(h: SendHarness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const message of h.simulator.outboundMessages()) {
    if (message.type !== 'template') continue;
    counts.set(message.to, (counts.get(message.to) ?? 0) + 1);
  }
  return counts;
}

/** A plan that does not limit the test (the free plan sends 60 messages a minute): the number's rate does. */
export async function unlimitedPlan(owner: DatabasePool, tenantId: string) {
  await owner.query(sql.unsafe`
    insert into app_private.plans (id, name, messages_per_minute, monthly_conversations, seats, channels)
    values ('campaign-tests', 'Campaign tests', 1000000, 100000000, 10, 10) on conflict (id) do nothing
  `);
  await owner.query(
    sql.unsafe`update app_private.tenants set plan_id = 'campaign-tests' where id = ${tenantId}`,
  );
}
