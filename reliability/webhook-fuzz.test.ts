import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { nastyString } from '../server/test/arbitrary-input.ts';
import { setupTestDatabase } from '../server/test/db.ts';
import { eventually } from '../server/test/eventually.ts';
import { signWebhookBody } from '../server/whatsapp/signature.ts';
import { basePort, ParleyProcess, query, recordFigures, workspaceWithChannel } from './harness.ts';
import { textDelivery, type LoadChannel } from './webhook-load.ts';

/**
 * Promise 5 for webhooks: bodies signed with the channel's real secret (so they pass the signature
 * check) over hostile JSON — NUL characters, invalid UTF-8, lone surrogates, 100k-deep nesting, huge
 * arrays, unknown types, wrong types everywhere — get a 4xx or are stored and flagged (never a 5xx),
 * the process survives, nothing is left unprocessed, and another workspace's ordinary messages posted
 * in the same moments (the same insert batches) are all processed.
 */
const db = setupTestDatabase();
let parley: ParleyProcess | undefined;
afterAll(async () => {
  await parley?.stop();
});

const victim = {
  wabaId: '310000000000501',
  phoneNumberId: '420000000000501',
  displayPhoneNumber: '15550555501',
};
const bystander = {
  wabaId: '310000000000502',
  phoneNumberId: '420000000000502',
  displayPhoneNumber: '15550555502',
};

const sometimes = <T>(value: T) => fc.oneof({ arbitrary: fc.constant(value), weight: 3 }, nastyString);
const anything = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nastyString);

/** Webhook-shaped JSON with hostile values in every slot, sometimes the right ones. */
const hostileMessage = fc.record(
  {
    from: sometimes('15550001111'),
    id: fc.oneof(
      fc.uuid().map((id) => `wamid.fuzz-${id}`),
      nastyString,
    ),
    timestamp: fc.oneof(fc.constant(String(Math.floor(Date.now() / 1000))), nastyString, fc.integer()),
    type: fc.oneof(
      fc.constantFrom('text', 'image', 'hologram', 'unsupported', 'reaction', 'interactive', 'location'),
      nastyString,
    ),
    text: fc.oneof(fc.record({ body: nastyString }), anything),
    image: anything,
    reaction: anything,
    interactive: anything,
    location: anything,
    context: anything,
  },
  { requiredKeys: [] },
);
const hostileValue = fc.record(
  {
    messaging_product: sometimes('whatsapp'),
    metadata: fc.oneof(
      fc.record({
        display_phone_number: sometimes(victim.displayPhoneNumber),
        phone_number_id: sometimes(victim.phoneNumberId),
      }),
      anything,
    ),
    contacts: fc.oneof(
      fc.array(fc.record({ profile: fc.record({ name: nastyString }), wa_id: sometimes('15550001111') })),
      anything,
    ),
    messages: fc.oneof(fc.array(hostileMessage, { maxLength: 4 }), anything),
    statuses: fc.oneof(
      fc.array(
        fc.record(
          {
            id: nastyString,
            status: sometimes('delivered'),
            timestamp: nastyString,
            recipient_id: nastyString,
          },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      anything,
    ),
  },
  { requiredKeys: [] },
);
const hostileBody = fc.record(
  {
    object: sometimes('whatsapp_business_account'),
    entry: fc.oneof(
      fc.array(
        fc.record({
          id: sometimes(victim.wabaId),
          changes: fc.oneof(
            fc.array(fc.record({ field: sometimes('messages'), value: fc.oneof(hostileValue, anything) }), {
              maxLength: 3,
            }),
            anything,
          ),
        }),
        { maxLength: 3 },
      ),
      anything,
    ),
  },
  { requiredKeys: [] },
);

/** Bodies no generator writes by accident: raw bytes and sizes. */
function rawBodies(): Buffer[] {
  const valid = textDelivery({ ...victim, appKey: '', appSecret: '' }, 'wamid.raw', '15550001111', 'hello');
  const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  return [
    Buffer.from(valid.replace('hello', 'nul \\u0000 inside')),
    Buffer.from(valid.replace('hello', 'lone \\ud800 surrogate')),
    Buffer.concat([
      Buffer.from(valid.slice(0, 200)),
      Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
      Buffer.from(valid.slice(200)),
    ]),
    Buffer.from(valid.replace('"hello"', '"\u0000raw nul"')),
    Buffer.from(`\ufeff${valid}`),
    Buffer.from(deep(100_000)),
    Buffer.from(
      `{"object":"whatsapp_business_account","entry":${'{"a":'.repeat(50_000)}1${'}'.repeat(50_000)}}`,
    ),
    Buffer.from(`{"object":"whatsapp_business_account","entry":[${Array(150_000).fill('{}').join(',')}]}`),
    Buffer.from(
      valid.replace(
        /"messages":\[.*\]/,
        `"messages":[${Array(3_000).fill('{"from":"15550001111","id":"wamid.same","type":"text","text":{"body":"x"}}').join(',')}]`,
      ),
    ),
    Buffer.from(valid.replace('"type":"text"', '"type":"text","__proto__":{"polluted":true}')),
    Buffer.from('{"object":"whatsapp_business_account","entry":[{"id":1e400,"changes":null}]}'),
    Buffer.from(''),
    Buffer.from('not json at all'),
    Buffer.from('null'),
    Buffer.from('"a string"'),
    Buffer.alloc(1_100_000, 0x20),
  ];
}

async function post(url: string, channel: LoadChannel, body: Buffer): Promise<number> {
  const response = await fetch(`${url}/webhooks/whatsapp/${channel.appKey}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': signWebhookBody(channel.appSecret, body),
    },
    body: new Uint8Array(body),
  }).catch(() => undefined);
  if (!response) return 0;
  await response.arrayBuffer();
  return response.status;
}

describe('fuzzed webhook bodies with valid signatures', () => {
  it('get a 4xx or are stored and flagged, never a 5xx; another workspace’s traffic is unaffected', async () => {
    const victimChannel: LoadChannel = { ...victim, ...(await workspaceWithChannel(db.url, victim)) };
    const bystanderChannel: LoadChannel = {
      ...bystander,
      ...(await workspaceWithChannel(db.url, bystander)),
    };
    parley = new ParleyProcess({
      name: 'webhook-fuzz',
      databaseUrl: db.url,
      port: basePort + 4,
      entry: 'harness',
    });
    await parley.start();

    const generated = fc
      .sample(hostileBody, { seed: 20261201, numRuns: Number(process.env.RELIABILITY_FUZZ_RUNS ?? 400) })
      .map((value) => Buffer.from(JSON.stringify(value) ?? 'null'));
    const hostile = [...rawBodies(), ...generated];
    const statuses: Record<string, number> = {};
    const bystanderWamids: string[] = [];
    // Hostile bodies and the bystander's ordinary ones side by side, eight at a time.
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < hostile.length) {
          const index = next++;
          const body = hostile[index];
          if (!body) break;
          const status = await post(parley!.url, victimChannel, body);
          statuses[status] = (statuses[status] ?? 0) + 1;
          const wamid = `wamid.bystander-${index}`;
          const ordinary = Buffer.from(textDelivery(bystanderChannel, wamid, '15550002222', `fine ${index}`));
          expect(await post(parley!.url, bystanderChannel, ordinary)).toBe(200);
          bystanderWamids.push(wamid);
        }
      }),
    );

    const settled = await eventually(
      async () => {
        const rows = await query<{ status: string; n: number }>(
          db.url,
          `select status, count(*)::int as n from app_private.webhook_deliveries group by status`,
        );
        return rows.some((row) => row.status === 'received' && row.n > 0) ? undefined : rows;
      },
      'every stored delivery to be processed or flagged',
      120_000,
    );
    const [bystanderRow] = await query<{ n: number }>(
      db.url,
      `select count(*)::int as n from app_public.messages where wamid = any($1::text[])`,
      [bystanderWamids],
    );
    const deliveries = Object.fromEntries(settled.map((row) => [row.status, row.n]));
    const fiveHundreds = Object.entries(statuses)
      .filter(([status]) => Number(status) >= 500 || status === '0')
      .reduce((sum, [, n]) => sum + n, 0);
    recordFigures('5 webhook fuzz (signed hostile JSON)', {
      bodies: hostile.length,
      statuses: JSON.stringify(statuses),
      '5xx or dropped': fiveHundreds,
      'deliveries by status': JSON.stringify(deliveries),
      'bystander posted': bystanderWamids.length,
      'bystander processed': bystanderRow?.n ?? 0,
      exits: parley.unexpectedExits,
    });
    expect(fiveHundreds).toBe(0);
    expect(parley.unexpectedExits).toBe(0);
    expect(bystanderRow?.n).toBe(bystanderWamids.length);
  });
});
