import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp } from '../../test/app.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';
import { helloWorldTemplate, type TemplateSeed } from '../../whatsapp/simulator/options.ts';
import { createSimulator } from '../../whatsapp/simulator/simulator.ts';
import { fixture, type WebhookBody } from '../../test/whatsapp.ts';
import type { TemplateDraftInput } from './schemas.ts';

/**
 * Templates end to end with the simulator: connecting syncs every page of a large WABA, the builder
 * submits drafts that the simulated review approves or rejects (by webhook), deletes reach Meta, and
 * an approved template is sent to a customer whose 24-hour window is closed, stored as they saw it.
 */
const db = setupTestDatabase();
const appSecret = 'templates-app-secret-0123456789';
const wabaId = '310000000000001';
const phoneNumberId = '420000000000001';
const customer = '15550123456';
let simulator: ReturnType<typeof createSimulator>;
let app: FastifyInstance;
let owner: SignedUp;
let channelId = '';

const bulk: TemplateSeed[] = Array.from({ length: 299 }, (_, index) => ({
  name: `bulk_${String(index).padStart(3, '0')}`,
  language: 'en_US',
  category: 'MARKETING',
  components: [{ type: 'BODY', text: `Offer number ${index}` }],
}));
const orderUpdate: TemplateSeed = {
  name: 'order_update',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'NAMED',
  quality: 'GREEN',
  components: [
    { type: 'HEADER', format: 'TEXT', text: 'Order {{order_id}}' },
    { type: 'BODY', text: 'Hi {{first_name}}, your order is {{state}}. Thanks!' },
    { type: 'FOOTER', text: 'Parley Demo Store' },
    {
      type: 'BUTTONS',
      buttons: [
        { type: 'URL', text: 'Track it', url: 'https://shop.example/track/{{1}}' },
        { type: 'COPY_CODE', example: 'SAVE10' },
        { type: 'QUICK_REPLY', text: 'Stop' },
      ],
    },
  ],
};
const pausedOne: TemplateSeed = {
  name: 'paused_promo',
  language: 'en_US',
  category: 'MARKETING',
  status: 'PAUSED',
  components: [{ type: 'BODY', text: 'Big sale' }],
};

type Row = {
  id: string;
  name: string;
  language: string;
  status: string;
  qualityScore: string | null;
  category: string | null;
  rejectedReason: string | null;
  metaTemplateId: string | null;
};
const list = async (input: object = {}) =>
  (await call<Row[]>(app, 'query', 'template.list', input, { cookie: owner.token })).data;
const mutate = <T = unknown>(path: string, input: object) =>
  call<T>(app, 'mutation', path as never, input, { cookie: owner.token });

beforeAll(async () => {
  simulator = createSimulator({
    seed: 18,
    templateReviewDelayMs: 20,
    statusDelaysMs: { sent: 5, delivered: 10, read: 20 },
    wabas: [
      {
        id: wabaId,
        phoneNumbers: [
          { id: phoneNumberId, displayPhoneNumber: '15550101010', verifiedName: 'Parley Demo Store' },
        ],
        templates: [helloWorldTemplate, orderUpdate, pausedOne, ...bulk.slice(0, 297)],
      },
    ],
  });
  const graphUrl = await simulator.listen();
  app = await buildTestApp(db.url, { workers: true, env: { GRAPH_API_BASE_URL: graphUrl } });
  const parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  owner = await signUpViaHttp(app, { workspaceName: 'Template Shop' });
  const connected = await mutate<{ channel: { id: string; webhookUrl: string } }>('channel.connect', {
    name: 'Main number',
    metaAppId: '900000000000001',
    appSecret,
    verifyToken: 'templates-verify-token',
    wabaId,
    accessToken: simulator.accessToken,
  });
  expect(connected.status, JSON.stringify(connected.error)).toBe(200);
  channelId = connected.data.channel.id;
  simulator.setWebhookTarget({
    url: `${parleyUrl}${new URL(connected.data.channel.webhookUrl).pathname}`,
    appSecret,
  });
});
afterAll(async () => {
  await app.close();
  await simulator.close();
});

const draft = (overrides: Partial<TemplateDraftInput> = {}): TemplateDraftInput => ({
  channelId,
  name: 'shipping_notice',
  language: 'en_US',
  category: 'UTILITY',
  header: { format: 'text', text: 'Your parcel' },
  body: 'Hello {{1}}, parcel {{2}} leaves today.',
  examples: { '1': 'Maya', '2': 'PX-77' },
  footer: 'Reply STOP to opt out',
  buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }],
  ...overrides,
});

describe('template sync', () => {
  it('connecting stores every template of the WABA, all 300 across pages, with status, quality and category', async () => {
    const all = await list();
    expect(all).toHaveLength(300);
    expect(all.find((t) => t.name === 'order_update')).toMatchObject({
      status: 'APPROVED',
      category: 'UTILITY',
      qualityScore: 'GREEN',
    });
    expect(all.find((t) => t.name === 'paused_promo')?.status).toBe('PAUSED');
    expect(await list({ search: 'bulk_29' })).toHaveLength(7); // bulk_290 … bulk_296
    // The composer asks for what one number may send: its account's approved templates.
    const approved = await list({ phoneNumberId, status: 'APPROVED' });
    expect(approved.map((t) => t.name)).toContain('order_update');
    expect(approved.map((t) => t.name)).not.toContain('paused_promo');
    expect(await list({ phoneNumberId: '429999999999999' })).toEqual([]);
  });

  it('on demand: templates removed at Meta are marked deleted, new ones added', async () => {
    const removed = await fetch(`${simulator.url}/v25.0/${wabaId}/message_templates?name=bulk_000`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${simulator.accessToken}` },
    });
    expect(removed.status).toBe(200);
    const synced = await mutate<{ templates: number; deleted: number }[]>('template.sync', { channelId });
    expect(synced.status, JSON.stringify(synced.error)).toBe(200);
    expect(synced.data).toEqual([{ channelId, templates: 299, deleted: 1 }]);
    expect((await list()).some((t) => t.name === 'bulk_000')).toBe(false);
    expect((await list({ includeDeleted: true, search: 'bulk_000' }))[0]?.status).toBe('DELETED');
  });

  it('quality and category webhooks keep a template current', async () => {
    const [template] = await list({ search: 'order_update' });
    const rebrand = (name: string) => {
      const body = fixture<WebhookBody>(`webhooks/${name}`);
      const change = body.entry[0]!.changes[0]!;
      change.value = {
        ...change.value,
        message_template_id: Number(template!.metaTemplateId),
        message_template_name: 'order_update',
        message_template_language: 'en_US',
      };
      return { ...body, entry: [{ ...body.entry[0]!, id: wabaId }] };
    };
    // Meta's own record changes with its webhooks, so a template.sync they queue reads the same values
    // (else it could put the old ones back before the row is read); restored for the later tests.
    const atMeta = simulator
      .templates(wabaId)
      .find((t) => t.name === 'order_update' && t.language === 'en_US');
    expect(atMeta).toBeDefined();
    const before = { quality: atMeta!.quality, category: atMeta!.category };
    atMeta!.quality = 'YELLOW';
    atMeta!.category = 'MARKETING';
    simulator.sendWebhook(wabaId, rebrand('template-quality-update.json'));
    simulator.sendWebhook(wabaId, rebrand('template-category-update.json'));
    const updated = await eventually(async () => {
      const [row] = await list({ search: 'order_update' });
      return row && row.qualityScore !== 'GREEN' && row.category !== 'UTILITY' ? row : undefined;
    }, 'the quality and category webhooks to be applied').finally(() => Object.assign(atMeta!, before));
    const quality = fixture<WebhookBody>('webhooks/template-quality-update.json').entry[0]!.changes[0]!.value;
    const category = fixture<WebhookBody>('webhooks/template-category-update.json').entry[0]!.changes[0]!
      .value;
    expect(updated).toMatchObject({
      qualityScore: quality.new_quality_score,
      category: category.new_category,
    });
  });
});

describe('the template builder', () => {
  it('submits a valid draft as PENDING; the review approves it by webhook', async () => {
    const created = await mutate<Row>('template.create', draft());
    expect(created.status, JSON.stringify(created.error)).toBe(200);
    expect(created.data).toMatchObject({ name: 'shipping_notice', status: 'PENDING' });
    const atMeta = simulator.templates(wabaId).find((t) => t.name === 'shipping_notice');
    expect(atMeta?.components).toEqual([
      { type: 'HEADER', format: 'TEXT', text: 'Your parcel' },
      {
        type: 'BODY',
        text: 'Hello {{1}}, parcel {{2}} leaves today.',
        example: { body_text: [['Maya', 'PX-77']] },
      },
      { type: 'FOOTER', text: 'Reply STOP to opt out' },
      { type: 'BUTTONS', buttons: [{ type: 'QUICK_REPLY', text: 'Thanks' }] },
    ]);
    await eventually(
      async () => (await list({ search: 'shipping_notice' }))[0]?.status === 'APPROVED' || undefined,
      'approval',
    );
  });

  it("shows Meta's rejection reason", async () => {
    const created = await mutate<Row>(
      'template.create',
      draft({ name: 'flash_sale', body: 'Please reject {{1}} now.', examples: { '1': 'x' } }),
    );
    expect(created.status, JSON.stringify(created.error)).toBe(200);
    const rejected = await eventually(async () => {
      const [row] = await list({ search: 'flash_sale' });
      return row?.status === 'REJECTED' ? row : undefined;
    }, 'the rejection');
    expect(rejected.rejectedReason).toMatch(/reject/);
  });

  it('refuses drafts that break Meta rules before submitting, saying why', async () => {
    const cases: [Partial<TemplateDraftInput>, RegExp][] = [
      [{ name: 'Shipping Notice' }, /lowercase letters, digits and underscores/],
      [
        { body: 'Hello {{1}}, parcel {{3}} leaves.', examples: { '1': 'a', '3': 'b' } },
        /in sequence from \{\{1\}\}/,
      ],
      [{ body: '{{1}} your parcel leaves.', examples: { '1': 'a' } }, /cannot start or end with a variable/],
      [
        { body: 'Hello {{1}}, parcel {{2}} leaves today.', examples: { '1': 'Maya' } },
        /example for \{\{2\}\}/,
      ],
      [
        {
          buttons: [
            { type: 'QUICK_REPLY', text: 'A' },
            { type: 'URL', text: 'B', url: 'https://x.example' },
            { type: 'QUICK_REPLY', text: 'C' },
          ],
        },
        /quick-reply buttons together/,
      ],
      [
        {
          buttons: [
            { type: 'PHONE_NUMBER', text: 'A', phoneNumber: '+15550100' },
            { type: 'PHONE_NUMBER', text: 'B', phoneNumber: '+15550101' },
          ],
        },
        /at most 1 call button/,
      ],
      [
        { buttons: [{ type: 'URL', text: 'Track', url: 'https://x.example/{{1}}' }] },
        /example of the full address/,
      ],
    ];
    for (const [overrides, message] of cases) {
      const refused = await mutate('template.create', draft({ name: 'rule_check', ...overrides }));
      expect(refused.status, JSON.stringify(overrides)).toBe(400);
      expect(JSON.stringify(refused.error)).toMatch(message);
    }
    expect(simulator.templates(wabaId).some((t) => t.name === 'rule_check')).toBe(false);
  });

  it('deletes one language by its id, or every language of a name', async () => {
    const german = await mutate<Row>('template.create', draft({ language: 'de' }));
    expect(german.status, JSON.stringify(german.error)).toBe(200);
    // Deleted once reviewed (a review webhook after the delete would otherwise bring it back until the next sync).
    await eventually(
      async () =>
        (await list({ search: 'shipping_notice' })).every((t) => t.status === 'APPROVED') || undefined,
      'the review',
    );
    const one = await mutate('template.delete', { id: german.data.id, onlyThisLanguage: true });
    expect(one.data).toEqual({ deleted: 1 });
    expect(
      simulator
        .templates(wabaId)
        .filter((t) => t.name === 'shipping_notice')
        .map((t) => t.language),
    ).toEqual(['en_US']);
    const english = (await list({ search: 'shipping_notice' })).find((t) => t.language === 'en_US');
    expect((await list({ search: 'shipping_notice' })).map((t) => t.language)).toEqual(['en_US']);
    await mutate('template.delete', { id: english!.id });
    expect(simulator.templates(wabaId).some((t) => t.name === 'shipping_notice')).toBe(false);
    expect(await list({ search: 'shipping_notice' })).toEqual([]);
  });
});

describe('sending a template', () => {
  let conversationId = '';
  beforeAll(async () => {
    simulator.customerSends(
      phoneNumberId,
      customer,
      { type: 'text', text: { body: 'Hello?' } },
      { name: 'Maya Lindqvist' },
    );
    conversationId = await eventually(async () => {
      const conversations = await call<{ id: string; contact: { waId: string } }[]>(
        app,
        'query',
        'conversation.list',
        {},
        { cookie: owner.token },
      );
      return conversations.data.find((c) => c.contact.waId === customer)?.id;
    }, 'the conversation');
    // The customer wrote two days ago: the window is closed.
    await app.services.pools.owner.query(sql.unsafe`
      update app_public.conversations set last_inbound_at = now() - interval '2 days' where id = ${conversationId}
    `);
  });

  const values = {
    header: { text: 'A-1001' },
    body: { first_name: 'Maya', state: 'on its way' },
    buttons: { '0': 'A-1001', '1': 'MAYA10' },
  };

  it('is the one thing an agent can send when the window is closed; the customer sees it filled in', async () => {
    const text = await mutate('message.send', { conversationId, text: 'Hi' });
    expect(text.status).toBe(412);

    const sent = await mutate<{ id: string; status: string }>('message.sendTemplate', {
      conversationId,
      name: 'order_update',
      language: 'en_US',
      values,
    });
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);
    expect(sent.data.status).toBe('queued');
    const message = await eventually(async () => {
      const messages = await call<
        {
          id: string;
          status: string;
          type: string;
          body: string;
          rendered: unknown;
          wamid: string | null;
          pricingCategory: string | null;
        }[]
      >(app, 'query', 'message.list', { conversationId }, { cookie: owner.token });
      const found = messages.data.find((m) => m.id === sent.data.id);
      return found && ['delivered', 'read'].includes(found.status) ? found : undefined;
    }, 'the template to be delivered');
    expect(message).toMatchObject({ type: 'template', body: 'Hi Maya, your order is on its way. Thanks!' });
    expect(message.rendered).toEqual({
      header: { format: 'TEXT', text: 'Order A-1001' },
      body: 'Hi Maya, your order is on its way. Thanks!',
      footer: 'Parley Demo Store',
      buttons: [
        { type: 'URL', text: 'Track it', url: 'https://shop.example/track/A-1001' },
        { type: 'COPY_CODE', text: 'Copy code', code: 'MAYA10' },
        { type: 'QUICK_REPLY', text: 'Stop' },
      ],
    });
    const atMeta = simulator.outboundMessage(message.wamid!);
    expect(atMeta?.body).toMatchObject({
      type: 'template',
      template: {
        name: 'order_update',
        language: { code: 'en_US' },
        components: [
          { type: 'header', parameters: [{ type: 'text', text: 'A-1001', parameter_name: 'order_id' }] },
          {
            type: 'body',
            parameters: [
              { type: 'text', text: 'Maya', parameter_name: 'first_name' },
              { type: 'text', text: 'on its way', parameter_name: 'state' },
            ],
          },
          { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1001' }] },
          {
            type: 'button',
            sub_type: 'copy_code',
            index: '1',
            parameters: [{ type: 'coupon_code', coupon_code: 'MAYA10' }],
          },
        ],
      },
    });
    expect(atMeta?.category).toBe('utility');
    // Meta's per-message pricing category, from the sent/delivered statuses, is on the message.
    expect(message.pricingCategory).toBe('utility');
  });

  it('checks the values against the stored template before queueing anything', async () => {
    const before = simulator.outboundMessages().length;
    const wrongName = await mutate('message.sendTemplate', {
      conversationId,
      name: 'order_update',
      language: 'en_US',
      values: { ...values, body: { name: 'Maya', state: 'late' } },
    });
    expect(wrongName.status).toBe(400);
    expect(JSON.stringify(wrongName.error)).toContain('has no variable {{name}}');
    const noCode = await mutate('message.sendTemplate', {
      conversationId,
      name: 'order_update',
      language: 'en_US',
      values: { ...values, buttons: { '0': 'A-1' } },
    });
    expect(noCode.status).toBe(400);
    expect(JSON.stringify(noCode.error)).toContain('copy-code');
    const paused = await mutate('message.sendTemplate', {
      conversationId,
      name: 'paused_promo',
      language: 'en_US',
    });
    expect(paused.status).toBe(412);
    expect(JSON.stringify(paused.error)).toContain('paused');
    const missing = await mutate('message.sendTemplate', {
      conversationId,
      name: 'order_update',
      language: 'fr',
    });
    expect(missing.status).toBe(404);
    const rows = await app.services.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from app_public.messages where type = 'template'
    `);
    expect(rows).toBe(1);
    expect(simulator.outboundMessages().length).toBe(before);
  });
});
