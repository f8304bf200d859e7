import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { buildTestApp } from '../../test/app.ts';
import {
  connectTestChannel,
  postWebhook,
  processed,
  webhookFixture,
  setupWebhookTestbed,
} from '../../test/channels.ts';
import { createDatabase } from '../../test/db.ts';
import { createTenant } from '../../test/factories.ts';
import { signWebhookBody } from '../../whatsapp/signature.ts';
import { fixtureNames } from '../../test/whatsapp.ts';

const parley = setupWebhookTestbed({ second: true });

const asA = <T>(fn: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(parley.app.services.pools.app, parley.tenantId, fn);
const count = (query: ReturnType<typeof sql.unsafe>) =>
  asA((tx) =>
    tx.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from (${query}) q`),
  );
const deliveries = () =>
  parley.db.pools.owner.oneFirst(
    sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_private.webhook_deliveries`,
  );

async function deliver(name: string, channel = parley.channel) {
  const response = await postWebhook(parley.app, channel, webhookFixture(name));
  expect(response.statusCode, response.body).toBe(200);
  await processed(parley.app);
}

const messageRow = z.object({
  type: z.string(),
  direction: z.string(),
  body: z.string().nullable(),
  status: z.string(),
  context_wamid: z.string().nullable(),
  error: z.unknown(),
});
const message = (wamidFragment: string) =>
  asA((tx) =>
    tx.one(sql.type(messageRow)`
      select type, direction, body, status, context_wamid, error from app_public.messages where wamid like ${`%${wamidFragment}%`}
    `),
  );

describe('webhook verification (GET)', () => {
  it('answers the challenge when the verify token matches', async () => {
    const response = await parley.app.inject({
      method: 'GET',
      url: `/webhooks/whatsapp/${parley.channel.appKey}?hub.mode=subscribe&hub.verify_token=${parley.channel.verifyToken}&hub.challenge=1158201444`,
    });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('1158201444');
  });

  it('refuses a wrong token, a wrong mode and an unknown channel with 403', async () => {
    const urls = [
      `/webhooks/whatsapp/${parley.channel.appKey}?hub.mode=subscribe&hub.verify_token=wrong-token&hub.challenge=1`,
      `/webhooks/whatsapp/${parley.channel.appKey}?hub.mode=unsubscribe&hub.verify_token=${parley.channel.verifyToken}&hub.challenge=1`,
      `/webhooks/whatsapp/${'x'.repeat(32)}?hub.mode=subscribe&hub.verify_token=${parley.channel.verifyToken}&hub.challenge=1`,
    ];
    for (const url of urls) expect((await parley.app.inject({ method: 'GET', url })).statusCode).toBe(403);
  });
});

describe('webhook ingest (POST)', () => {
  it('refuses a missing or wrong signature with 401 and stores nothing', async () => {
    const before = await deliveries();
    const body = webhookFixture('text.json');
    expect((await postWebhook(parley.app, parley.channel, body, null)).statusCode).toBe(401);
    expect((await postWebhook(parley.app, parley.channel, body, `sha256=${'0'.repeat(64)}`)).statusCode).toBe(
      401,
    );
    expect(
      (await postWebhook(parley.app, { ...parley.channel, appSecret: 'another-apps-secret' }, body))
        .statusCode,
    ).toBe(401);
    expect((await postWebhook(parley.app, parley.second.channel, body, undefined)).statusCode).toBe(200); // B's own secret: fine
    await processed(parley.app);
    expect(await deliveries()).toBe(before + 1);
  });

  it('stores a signed body that is not JSON as invalid_json, visible, without processing it', async () => {
    const response = await postWebhook(
      parley.app,
      parley.channel,
      '{"object": "whatsapp_business_account", "entry": [',
    );
    expect(response.statusCode).toBe(200);
    const stored = await parley.db.pools.owner.any(sql.type(z.object({ status: z.string() }))`
      select status from app_private.webhook_deliveries
      where body = convert_to('{"object": "whatsapp_business_account", "entry": [', 'UTF8')
    `);
    expect(stored.map((row) => row.status)).toEqual(['invalid_json']);
  });

  it('refuses bodies over 3 MB with 413 and stores nothing', async () => {
    const before = await deliveries();
    const huge = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [],
      padding: 'x'.repeat(3 * 1024 * 1024),
    });
    expect((await postWebhook(parley.app, parley.channel, huge)).statusCode).toBe(413);
    expect(await deliveries()).toBe(before);
  });

  it('stores 200 concurrent POSTs exactly once each, all acknowledged only after commit', async () => {
    const before = await deliveries();
    const bodies = Array.from({ length: 200 }, (_, i) =>
      webhookFixture('text.json')
        .toString()
        .replace('000000000001AA==', `${String(i).padStart(12, '0')}CC==`),
    );
    const since = await parley.db.pools.owner.oneFirst(
      sql.type(z.object({ t: z.string() }))`select now()::text as t`,
    );
    const responses = await Promise.all(bodies.map((body) => postWebhook(parley.app, parley.channel, body)));
    expect(responses.every((r) => r.statusCode === 200)).toBe(true);
    expect(await deliveries()).toBe(before + 200);
    // Group-committed deliveries share jobs (at most 100 each), and each is in exactly one.
    const jobs = await parley.db.pools.owner.any(sql.type(z.object({ n: z.number(), distinct: z.number() }))`
      select count(distinct j.id)::int as n, count(distinct d)::int as distinct
      from pgboss.job j
      cross join lateral (
        select j.data->>'deliveryId' as d where j.data ? 'deliveryId'
        union all select jsonb_array_elements_text(j.data->'deliveryIds')
      ) x (d)
      where j.name = 'webhook.process' and j.created_on >= ${since}::timestamptz
    `);
    expect(jobs[0]?.distinct).toBe(200);
    expect(jobs[0]?.n).toBeGreaterThanOrEqual(2);
    expect(jobs[0]?.n).toBeLessThan(200);
    await processed(parley.app);
    expect(await count(sql.unsafe`select 1 from app_public.messages where wamid like '%CC=='`)).toBe(200);
  });
});

describe('request ids', () => {
  it('carry from the webhook request into its processing job', async () => {
    const body = webhookFixture('text.json').toString().replace('000000000001AA==', 'TRACE0000001==');
    const response = await parley.app.inject({
      method: 'POST',
      url: `/webhooks/whatsapp/${parley.channel.appKey}`,
      headers: {
        'content-type': 'application/json',
        'x-request-id': 'edge-trace-42',
        'x-hub-signature-256': signWebhookBody(parley.channel.appSecret, body),
      },
      payload: body,
    });
    expect(response.statusCode).toBe(200);
    const requestIds = await parley.db.pools.owner.anyFirst(sql.type(z.object({ r: z.string().nullable() }))`
      select data->>'requestId' as r from pgboss.job where name = 'webhook.process' and data->>'requestId' = 'edge-trace-42'
    `);
    expect(requestIds).toEqual(['edge-trace-42']);
    await processed(parley.app);
  });
});

describe('processing', () => {
  it('stores a text message with its contact (phone and BSUID) and opens a conversation', async () => {
    await deliver('text.json');
    const contact = await asA((tx) =>
      tx.one(sql.type(
        z.object({
          wa_id: z.string().nullable(),
          bsuid: z.string().nullable(),
          profile_name: z.string().nullable(),
        }),
      )`
        select wa_id, bsuid, profile_name from app_public.contacts where wa_id = '15550123456'
      `),
    );
    expect(contact).toEqual({
      wa_id: '15550123456',
      bsuid: 'US.7731946620185347712',
      profile_name: 'Maya Lindqvist',
    });
    expect(await message('000000000001AA==')).toMatchObject({
      type: 'text',
      direction: 'inbound',
      status: 'received',
      body: 'Hi! Is the blue jacket still in stock?',
    });
    const conversation = await asA((tx) =>
      tx.one(sql.type(
        z.object({
          status: z.string(),
          unread_count: z.number(),
          last_inbound_at: z.string().nullable(),
          last_message_preview: z.string().nullable(),
        }),
      )`
        select c.status, c.unread_count, c.last_inbound_at, c.last_message_preview
        from app_public.conversations c join app_public.contacts k on k.id = c.contact_id where k.wa_id = '15550123456'
      `),
    );
    expect(conversation.status).toBe('open');
    expect(conversation.unread_count).toBeGreaterThan(0);
    expect(conversation.last_inbound_at).not.toBeNull();
  });

  it('stores one message however often Meta repeats the delivery', async () => {
    for (let i = 0; i < 5; i++)
      expect((await postWebhook(parley.app, parley.channel, webhookFixture('image.json'))).statusCode).toBe(
        200,
      );
    await processed(parley.app);
    const body = JSON.parse(webhookFixture('image.json').toString()) as {
      entry: { changes: { value: { messages: { id: string }[] } }[] }[];
    };
    const wamid = body.entry[0]?.changes[0]?.value.messages[0]?.id ?? '';
    expect(await count(sql.unsafe`select 1 from app_public.messages where wamid = ${wamid}`)).toBe(1);
    expect((await message(wamid)).type).toBe('image');
  });

  it('stores every inbound message type of the fixtures faithfully', async () => {
    const inbound = fixtureNames('webhooks').filter((name) => {
      const body = webhookFixture(name).toString();
      return body.includes('"messages": [') && !name.startsWith('reaction') && !name.includes('multi-entry');
    });
    expect(inbound.length).toBeGreaterThanOrEqual(18);
    for (const name of inbound) await deliver(name);
    for (const name of inbound) {
      const sent = JSON.parse(webhookFixture(name).toString()) as {
        entry: { changes: { value: { messages: Record<string, unknown>[] } }[] }[];
      };
      const original = sent.entry[0]?.changes[0]?.value.messages[0] ?? {};
      const stored = await asA((tx) =>
        tx.one(sql.type(z.object({ type: z.string(), content: z.unknown(), body: z.string().nullable() }))`
          select type, content, body from app_public.messages where wamid = ${String(original.id)}
        `),
      );
      expect(stored.type, name).toBe(original.type);
      expect(stored.content, name).toEqual(original); // the whole message object, as Meta sent it
      expect(stored.body, name).toBeTruthy();
    }
    const reply = JSON.parse(webhookFixture('text-reply-context.json').toString()) as {
      entry: { changes: { value: { messages: { id: string; context: { id: string } }[] } }[] }[];
    };
    const quoted = reply.entry[0]?.changes[0]?.value.messages[0];
    expect((await message(quoted?.id ?? '')).context_wamid).toBe(quoted?.context.id); // quoted reply
  });

  it('keys BSUID-only users by their business-scoped id', async () => {
    await deliver('text-bsuid-only.json');
    const contacts = await asA((tx) =>
      tx.any(sql.type(z.object({ wa_id: z.string().nullable(), bsuid: z.string().nullable() }))`
        select wa_id, bsuid from app_public.contacts where wa_id is null
      `),
    );
    expect(contacts).toEqual([{ wa_id: null, bsuid: expect.stringMatching(/^[A-Z]{2}\./) }]);
  });

  it('adds a reaction to the message and removes it on an empty emoji', async () => {
    await deliver('reaction.json');
    expect(await count(sql.unsafe`select 1 from app_public.message_reactions`)).toBe(1);
    await deliver('reaction-removed.json');
    expect(await count(sql.unsafe`select 1 from app_public.message_reactions where emoji is not null`)).toBe(
      0,
    );
  });

  it('never moves a status backwards, and records each (wamid, status) once', async () => {
    const wamid = 'wamid.HBgLMTU1NTAxMjM0NTYVAgARGBJPVVRCT1VORDAwMDAwMDAxAA==';
    await deliver('status-read.json');
    await deliver('status-delivered.json');
    await deliver('status-sent.json');
    await deliver('status-sent.json');
    const statuses = await asA((tx) =>
      tx.anyFirst(
        sql.type(
          z.object({ status: z.string() }),
        )`select status from app_public.message_statuses where wamid = ${wamid} order by status`,
      ),
    );
    expect(statuses).toEqual(['delivered', 'read', 'sent']);
    const pricing = await asA((tx) =>
      tx.oneFirst(
        sql.type(
          z.object({ p: z.unknown() }),
        )`select pricing as p from app_public.message_statuses where wamid = ${wamid} and status = 'sent'`,
      ),
    );
    expect(pricing).toMatchObject({ pricing_model: 'PMP', category: 'utility' });
  });

  it('applies statuses that arrived before their message once the message exists', async () => {
    await deliver('smb-message-echo.json'); // an outbound message sent from the phone app
    const body = JSON.parse(webhookFixture('smb-message-echo.json').toString()) as {
      entry: { changes: { value: { message_echoes: { id: string }[] } }[] }[];
    };
    const wamid = body.entry[0]?.changes[0]?.value.message_echoes[0]?.id ?? '';
    expect(await message(wamid)).toMatchObject({ direction: 'outbound', status: 'sent' });
    const readEarlier = webhookFixture('status-read.json')
      .toString()
      .replaceAll('wamid.HBgLMTU1NTAxMjM0NTYVAgARGBJPVVRCT1VORDAwMDAwMDAxAA==', wamid);
    await postWebhook(parley.app, parley.channel, readEarlier);
    await processed(parley.app);
    expect((await message(wamid)).status).toBe('read');
  });

  it('keeps Meta’s error on a failed status', async () => {
    await deliver('status-failed-131047.json');
    const errors = await asA((tx) =>
      tx.oneFirst(
        sql.type(
          z.object({ e: z.unknown() }),
        )`select errors as e from app_public.message_statuses where status = 'failed' limit 1`,
      ),
    );
    expect(errors).toEqual([expect.objectContaining({ code: 131047 })]);
  });

  it('applies template status, quality and category updates', async () => {
    await deliver('template-status-approved.json');
    await deliver('template-quality-update.json');
    await deliver('template-category-update.json');
    await deliver('template-status-rejected.json');
    const templates = await asA((tx) =>
      tx.any(sql.type(
        z.object({
          name: z.string(),
          status: z.string(),
          quality_score: z.string().nullable(),
          category: z.string().nullable(),
          rejected_reason: z.string().nullable(),
        }),
      )`
        select name, status, quality_score, category, rejected_reason from app_public.templates order by name
      `),
    );
    expect(templates.length).toBeGreaterThanOrEqual(1);
    expect(templates.find((t) => t.status === 'REJECTED')?.rejected_reason).toBeTruthy();
    expect(templates.some((t) => t.quality_score !== null)).toBe(true);
  });

  it('applies phone number quality and tier updates', async () => {
    await deliver('phone-number-quality-update.json');
    const tier = await asA((tx) =>
      tx.oneFirst(
        sql.type(
          z.object({ t: z.string().nullable() }),
        )`select messaging_limit_tier as t from app_public.phone_numbers where phone_number_id = '420000000000001'`,
      ),
    );
    expect(tier).toMatch(/^TIER_/);
  });

  it('never routes a change signed by one channel’s secret into another workspace’s channel', async () => {
    // The fixture's second entry names B's WABA and number, but A's secret signs it (issue 14, item 1).
    await deliver('multi-entry-batch.json');
    const inB = await withTenant(parley.app.services.pools.app, parley.second.tenantId, (tx) =>
      tx.oneFirst(
        sql.type(
          z.object({ n: z.number() }),
        )`select count(*)::int as n from app_public.webhook_events where field = 'messages'`,
      ),
    );
    expect(inB).toBe(0);
    const flagged = await parley.db.pools.owner.anyFirst(sql.type(z.object({ r: z.string().nullable() }))`
      select reason as r from app_private.unrouted_webhook_events where phone_number_id = '420000000000002'
    `);
    expect(flagged).toContain('other_app');
  });

  it('keeps changes for unknown phone numbers, flagged for the platform admin', async () => {
    const unknown = webhookFixture('text.json').toString().replaceAll('420000000000001', '429999999999999');
    await postWebhook(parley.app, parley.channel, unknown);
    await processed(parley.app);
    const flagged = await parley.db.pools.owner.anyFirst(sql.type(z.object({ p: z.string().nullable() }))`
      select phone_number_id as p from app_private.unrouted_webhook_events
    `);
    expect(flagged).toContain('429999999999999');
  });

  it('records account-level errors and account updates in the webhook log', async () => {
    await deliver('value-errors-130429.json');
    await deliver('account-update-violation.json');
    const summaries = await asA((tx) =>
      tx.anyFirst(
        sql.type(
          z.object({ summary: z.string() }),
        )`select summary from app_public.webhook_events where summary like '%130429%' or field = 'account_update'`,
      ),
    );
    expect(summaries.length).toBe(2);
    const event = await asA((tx) =>
      tx.oneFirst(
        sql.type(z.object({ e: z.string().nullable() }))`select account_event as e from app_public.channels`,
      ),
    );
    expect(event).toBe('ACCOUNT_VIOLATION');
  });
});

describe('resilience', () => {
  it('accepts webhooks on a web-only node of a database no worker has ever started on', async () => {
    const fresh = await createDatabase();
    const webOnly = await buildTestApp(fresh.url, { workers: false });
    try {
      const tenant = await createTenant(webOnly.services.pools.owner);
      const channel = await connectTestChannel(webOnly, tenant.id, {
        wabaId: '319',
        phoneNumberId: '429',
        displayPhoneNumber: '1555',
      });
      expect((await postWebhook(webOnly, channel, webhookFixture('text.json'))).statusCode).toBe(200);
    } finally {
      await webOnly.close();
      await fresh.drop();
    }
  });

  it('keeps accepting while workers are down, and processes everything once they return', async () => {
    const ingestOnly = await buildTestApp(parley.db.url, { workers: false });
    const wamids = Array.from({ length: 20 }, (_, i) => `DOWN${String(i).padStart(8, '0')}==`);
    try {
      // A second web node without workers, and the main app's workers paused.
      await parley.app.services.boss.offWork('webhook.process');
      for (const wamid of wamids) {
        const body = webhookFixture('text.json').toString().replace('000000000001AA==', wamid);
        expect((await postWebhook(ingestOnly, parley.channel, body)).statusCode).toBe(200);
      }
      expect(await count(sql.unsafe`select 1 from app_public.messages where wamid like '%DOWN%'`)).toBe(0);
    } finally {
      await ingestOnly.close();
    }
    const restarted = await buildTestApp(parley.db.url, { workers: true });
    try {
      await processed(restarted);
      expect(await count(sql.unsafe`select 1 from app_public.messages where wamid like '%DOWN%'`)).toBe(20);
    } finally {
      await restarted.close();
    }
  });
});
