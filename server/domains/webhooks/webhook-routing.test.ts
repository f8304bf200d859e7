import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { buildTestApp, setupTestApp } from '../../test/app.ts';
import {
  connectTestChannel,
  postWebhook,
  processed,
  webhookFixture,
  type TestChannel,
} from '../../test/channels.ts';
import { createTenant } from '../../test/factories.ts';

// Issue 14, item 1: a signed delivery may only touch channels that share the verifying channel's
// Meta app and app secret. Everything else is unrouted, for the platform admin.

const parley = setupTestApp({ workers: true });
const tenants: Record<'a' | 'b' | 'c' | 'd', string> = { a: '', b: '', c: '', d: '' };
let a1: TestChannel;
let b: TestChannel;

const metaApp = '900000000000001';
const sharedSecret = 'shared-app-secret-0001';

beforeAll(async () => {
  for (const key of ['a', 'b', 'c', 'd'] as const)
    tenants[key] = (await createTenant(parley.db.pools.owner)).id;
  const channel = (tenant: string, n: string, ids: { metaAppId: string; appSecret: string }) =>
    connectTestChannel(parley.app, tenant, {
      wabaId: `31000000000000${n}`,
      phoneNumberId: `42000000000000${n}`,
      displayPhoneNumber: `1555010${n}0${n}0`,
      ...ids,
    });
  a1 = await channel(tenants.a, '1', { metaAppId: metaApp, appSecret: sharedSecret });
  // B uses the same Meta app id but a secret of its own: A's secret proves nothing about B.
  b = await channel(tenants.b, '2', { metaAppId: metaApp, appSecret: 'b-own-secret-0002' });
  // One app serving a second WABA of the same workspace, and a WABA of another workspace.
  await channel(tenants.a, '3', { metaAppId: metaApp, appSecret: sharedSecret });
  await channel(tenants.c, '4', { metaAppId: metaApp, appSecret: sharedSecret });
  // The same secret text under another Meta app is another app.
  await channel(tenants.d, '5', { metaAppId: '900000000000002', appSecret: sharedSecret });
});

/** A fixture re-keyed to the WABA and number `n` of the setup, with its wamids made unique by `tag`. */
const rekeyed = (name: string, n: string, tag: string) =>
  webhookFixture(name)
    .toString()
    .replaceAll('310000000000001', `31000000000000${n}`)
    .replaceAll('420000000000001', `42000000000000${n}`)
    .replaceAll('AA==', `${tag}==`);

async function post(channel: TestChannel, body: string) {
  const response = await postWebhook(parley.app, channel, body);
  expect(response.statusCode, response.body).toBe(200);
  await processed(parley.app);
}

const countIn = (tenant: string, table: string) =>
  withTenant(parley.app.services.pools.app, tenant, (tx) =>
    tx.oneFirst(
      sql.type(
        z.object({ n: z.number() }),
      )`select count(*)::int as n from ${sql.identifier(['app_public', table])}`,
    ),
  );

describe('cross-workspace webhook forgery', () => {
  it('keeps everything a channel signs for another workspace’s number or WABA out of that workspace', async () => {
    // B's own traffic first: its route is cached for B's app key, and must not serve A's key.
    await post(b, rekeyed('text.json', '2', 'B0'));
    expect(await countIn(tenants.b, 'messages')).toBe(1);
    const eventsBefore = await countIn(tenants.b, 'webhook_events');

    // A's admin signs bodies naming B's number and WABA with A's own secret, posted to A's own URL.
    await post(a1, rekeyed('text.json', '2', 'F1'));
    await post(a1, rekeyed('status-read.json', '2', 'F2'));
    await post(
      a1,
      rekeyed('account-update-violation.json', '2', 'F3').replace('ACCOUNT_VIOLATION', 'DISABLED_UPDATE'),
    );
    await post(a1, rekeyed('template-status-approved.json', '2', 'F4'));

    expect(await countIn(tenants.b, 'messages')).toBe(1);
    expect(await countIn(tenants.b, 'message_statuses')).toBe(0);
    expect(await countIn(tenants.b, 'templates')).toBe(0);
    expect(await countIn(tenants.b, 'webhook_events')).toBe(eventsBefore);
    const accountEvent = await withTenant(parley.app.services.pools.app, tenants.b, (tx) =>
      tx.oneFirst(
        sql.type(z.object({ e: z.string().nullable() }))`select account_event as e from app_public.channels`,
      ),
    );
    expect(accountEvent).toBeNull();
    // Nor into A: the changes were not A's either.
    expect(await countIn(tenants.a, 'messages')).toBe(0);

    const unrouted = await parley.db.pools.owner.any(sql.type(
      z.object({ field: z.string(), reason: z.string().nullable() }),
    )`
      select field, reason from app_private.unrouted_webhook_events
      where coalesce(phone_number_id, '') = '420000000000002' or waba_id = '310000000000002'
      order by field
    `);
    expect(unrouted).toEqual([
      { field: 'account_update', reason: 'other_app' },
      { field: 'message_template_status_update', reason: 'other_app' },
      { field: 'messages', reason: 'other_app' },
      { field: 'messages', reason: 'other_app' },
    ]);
  });

  it('routes through one app to every WABA it really serves, in one workspace or several', async () => {
    await post(a1, rekeyed('text.json', '3', 'S3')); // A's second WABA, same app and secret
    await post(a1, rekeyed('text.json', '4', 'S4')); // C's WABA, same app and secret
    await post(a1, rekeyed('template-status-approved.json', '4', 'S5'));
    expect(await countIn(tenants.a, 'messages')).toBe(1);
    expect(await countIn(tenants.c, 'messages')).toBe(1);
    expect(await countIn(tenants.c, 'templates')).toBe(1);
    const conversationNumber = await withTenant(parley.app.services.pools.app, tenants.a, (tx) =>
      tx.oneFirst(sql.type(z.object({ p: z.string() }))`
        select p.phone_number_id as p from app_public.conversations c
        join app_public.phone_numbers p on p.id = c.phone_number_id
      `),
    );
    expect(conversationNumber).toBe('420000000000003');
  });

  it('does not treat the same secret under another Meta app as the same app', async () => {
    await post(a1, rekeyed('text.json', '5', 'D5'));
    expect(await countIn(tenants.d, 'messages')).toBe(0);
    const reason = await parley.db.pools.owner.oneFirst(sql.type(z.object({ r: z.string().nullable() }))`
      select reason as r from app_private.unrouted_webhook_events where phone_number_id = '420000000000005'
    `);
    expect(reason).toBe('other_app');
  });

  it('records changes for numbers nobody has connected as unknown', async () => {
    await post(a1, rekeyed('text.json', '9', 'U9'));
    const reason = await parley.db.pools.owner.oneFirst(sql.type(z.object({ r: z.string().nullable() }))`
      select reason as r from app_private.unrouted_webhook_events where phone_number_id = '420000000000009'
    `);
    expect(reason).toBe('unknown');
  });

  it('fingerprints channels stored before fingerprints existed when a worker starts, so shared apps keep routing', async () => {
    await parley.db.pools.owner.query(sql.unsafe`
      update app_private.channel_secrets s set app_secret_fingerprint = null
      from app_public.channels c where c.id = s.channel_id and c.waba_id = '310000000000004'
    `);
    const restarted = await buildTestApp(parley.db.url, { workers: true });
    try {
      const fingerprints = await parley.db.pools.owner.anyFirst(sql.type(z.object({ f: z.boolean() }))`
        select app_secret_fingerprint is not null as f from app_private.channel_secrets
      `);
      expect(fingerprints.every(Boolean)).toBe(true);
    } finally {
      await restarted.close();
    }
    await post(a1, rekeyed('text.json', '4', 'L4'));
    expect(await countIn(tenants.c, 'messages')).toBe(2);
  });
});
