import fs from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { z } from 'zod';
import { withTenant } from '../db/tx.ts';
import { newAppKey, storeSecrets } from '../domains/channels/service.ts';
import { signWebhookBody } from '../whatsapp/signature.ts';
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
