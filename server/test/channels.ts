import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { beforeAll, expect } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../db/tx.ts';
import { newAppKey, storeSecrets } from '../domains/channels/service.ts';
import { signWebhookBody } from '../whatsapp/signature.ts';
import { signUpViaHttp, type SignedUp } from './accounts.ts';
import { setupTestApp, type TestApp } from './app.ts';
import { createTenant } from './factories.ts';
import { fixturesDir } from './whatsapp.ts';

export interface TestChannel {
  channelId: string;
  appKey: string;
  appSecret: string;
  verifyToken: string;
  phoneNumberUuid: string;
}

/** A connected channel written straight to the database (what channel.connect stores after asking Meta). */
export async function connectTestChannel(
  app: FastifyInstance,
  tenantId: string,
  ids: {
    wabaId: string;
    phoneNumberId: string;
    displayPhoneNumber: string;
    /** Channels of one Meta app share its id and secret; by default each channel has a secret of its own. */
    metaAppId?: string;
    appSecret?: string;
  },
): Promise<TestChannel> {
  const appSecret = ids.appSecret ?? `app-secret-${ids.wabaId}`;
  const verifyToken = `verify-${ids.wabaId}`;
  const appKey = newAppKey();
  return withTenant(app.services.pools.app, tenantId, async (tx) => {
    const channelId = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_version)
      values (${tenantId}, ${`Channel ${ids.wabaId}`}, ${ids.metaAppId ?? '900000000000001'}, ${ids.wabaId}, ${appKey}, 'v25.0')
      returning id
    `);
    await storeSecrets(tx, app.services, channelId, {
      appSecret,
      verifyToken,
      accessToken: `token-for-${ids.wabaId}`,
    });
    const phoneNumberUuid = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into app_public.phone_numbers (tenant_id, channel_id, phone_number_id, display_phone_number, verified_name)
      values (${tenantId}, ${channelId}, ${ids.phoneNumberId}, ${ids.displayPhoneNumber}, 'Test Shop')
      returning id
    `);
    return { channelId, appKey, appSecret, verifyToken, phoneNumberUuid };
  });
}

export function webhookFixture(name: string): Buffer {
  return fs.readFileSync(path.join(fixturesDir, 'webhooks', name));
}

/** POSTs a body to the channel's webhook URL, signed the way Meta signs it. */
export function postWebhook(
  app: FastifyInstance,
  channel: Pick<TestChannel, 'appKey' | 'appSecret'>,
  body: Buffer | string,
  signature?: string | null,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const signed = signature === undefined ? signWebhookBody(channel.appSecret, body) : signature;
  if (signed !== null) headers['x-hub-signature-256'] = signed;
  return app.inject({ method: 'POST', url: `/webhooks/whatsapp/${channel.appKey}`, headers, payload: body });
}

/**
 * A customer writes: a `messages` webhook from `from` to the fixtures' first number (WABA
 * 310000000000001, number 420000000000001) carrying `messages`, as Meta sends it — POSTed signed to
 * `channel`, and processed before this returns (workers must run in `app`).
 */
export async function customerSends(
  app: FastifyInstance,
  channel: Pick<TestChannel, 'appKey' | 'appSecret'>,
  from: string,
  messages: object[],
): Promise<void> {
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '310000000000001',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550101010', phone_number_id: '420000000000001' },
              contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
              messages: messages.map((message) => ({ from, ...message })),
            },
          },
        ],
      },
    ],
  });
  const response = await postWebhook(app, channel, body);
  expect(response.statusCode, response.body).toBe(200);
  await processed(app);
}

/** Waits until no stored delivery is waiting for processing (workers must run in `app`). */
export async function processed(app: FastifyInstance, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const waiting = await app.services.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from app_private.webhook_deliveries where status = 'received'
    `);
    if (waiting === 0) return;
    if (Date.now() > deadline)
      throw new Error(`${waiting} webhook deliveries still unprocessed after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The fixtures' ids: WABA 310000000000001 → number 420000000000001; WABA …002 → number …002. */
const fixtureChannels = [
  { wabaId: '310000000000001', phoneNumberId: '420000000000001', displayPhoneNumber: '15550101010' },
  { wabaId: '310000000000002', phoneNumberId: '420000000000002', displayPhoneNumber: '15550102020' },
] as const;

export interface WebhookTestbed extends TestApp {
  /** The workspace owning `channel`. */
  readonly tenantId: string;
  /** The channel of the fixtures' first WABA and number, in `tenantId`. */
  readonly channel: TestChannel;
  /** The workspace's owner, signed up through the real procedure (`owner: true`). */
  readonly owner: SignedUp;
  /** Another workspace with the fixtures' second WABA and number (`second: true`). */
  readonly second: { tenantId: string; channel: TestChannel };
}

/**
 * The usual setup of a webhook test file: the app on its own database (workers running unless
 * `workers: false`), a workspace — signed up by its owner with `owner: true`, otherwise created
 * directly — with a channel for the fixtures' first number, and with `second: true` another
 * workspace with the second one.
 */
export function setupWebhookTestbed(
  options: { workers?: boolean; owner?: boolean; second?: boolean } = {},
): WebhookTestbed {
  const parley = setupTestApp({ workers: options.workers ?? true });
  let bed: { tenantId: string; channel: TestChannel; owner?: SignedUp; second?: WebhookTestbed['second'] };
  beforeAll(async () => {
    const owner = options.owner ? await signUpViaHttp(parley.app) : undefined;
    const tenantId = owner?.tenantId ?? (await createTenant(parley.db.pools.owner)).id;
    const secondTenant = options.second ? (await createTenant(parley.db.pools.owner)).id : undefined;
    const channel = await connectTestChannel(parley.app, tenantId, fixtureChannels[0]);
    const second = secondTenant
      ? {
          tenantId: secondTenant,
          channel: await connectTestChannel(parley.app, secondTenant, fixtureChannels[1]),
        }
      : undefined;
    bed = { tenantId, channel, ...(owner ? { owner } : {}), ...(second ? { second } : {}) };
  });
  const ready = () => {
    if (!bed) throw new Error('the webhook testbed is set up in beforeAll: read it inside tests or hooks');
    return bed;
  };
  return {
    db: parley.db,
    get app() {
      return parley.app;
    },
    get tenantId() {
      return ready().tenantId;
    },
    get channel() {
      return ready().channel;
    },
    get owner() {
      const { owner } = ready();
      if (!owner) throw new Error('setupWebhookTestbed({ owner: true }) signs up an owner');
      return owner;
    },
    get second() {
      const { second } = ready();
      if (!second) throw new Error('setupWebhookTestbed({ second: true }) connects a second workspace');
      return second;
    },
  };
}

let textSequence = 0;
/** Customer `from` writes `text` to the test channel (a signed webhook); each call a new wamid. */
export function customerWritesText(
  app: FastifyInstance,
  channel: Pick<TestChannel, 'appKey' | 'appSecret'>,
  from: string,
  text: string,
): Promise<void> {
  textSequence += 1;
  return customerSends(app, channel, from, [
    {
      id: `wamid.text-${from}-${textSequence}`,
      timestamp: String(Math.floor(Date.now() / 1000)),
      type: 'text',
      text: { body: text },
    },
  ]);
}
