import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../../db/tx.ts';
import { postWebhook, processed, webhookFixture, setupWebhookTestbed } from '../../../test/channels.ts';
import { call } from '../../../test/http-client.ts';
import { fixtureBytes } from '../../../test/whatsapp.ts';
import { describeFailure } from './failure.ts';

// Issue 26: every webhook Meta can send is processed; one bad message never costs its neighbours;
// BSUID rotations are applied; hopeless retries are stopped with a reason a user can read.

const parley = setupWebhookTestbed({ owner: true });

const edge = (name: string) => fixtureBytes(`webhooks-edge/${name}`);

async function deliver(body: Buffer) {
  const response = await postWebhook(parley.app, parley.channel, body);
  expect(response.statusCode, response.body).toBe(200);
  await processed(parley.app);
}

const asOwner = <T>(fn: Parameters<typeof withTenant<T>>[2]) =>
  withTenant(parley.app.services.pools.app, parley.owner.tenantId, fn);

const lastEvent = async () => {
  const events = (
    await call(parley.app, 'query', 'webhook.list', { limit: 1 }, { cookie: parley.owner.token })
  ).data.events;
  return events[0];
};
const lastDelivery = () =>
  parley.db.pools.owner.one(sql.type(
    z.object({ status: z.string(), error: z.string().nullable(), attempts: z.number() }),
  )`
    select status, error, attempts from app_private.webhook_deliveries order by id desc limit 1
  `);
const wamids = (fragment: string) =>
  asOwner((tx) =>
    tx.anyFirst(sql.type(z.object({ w: z.string() }))`
      select wamid as w from app_public.messages where wamid like ${`%${fragment}%`} order by wamid
    `),
  );

describe('one malformed item among valid ones', () => {
  it('stores every valid message of the change and flags the malformed ones with a readable reason', async () => {
    await deliver(edge('messages-one-malformed.json'));
    // The valid text and the one with a numeric timestamp (a harmless variant) are stored.
    expect(await wamids('EE==')).toEqual([
      'wamid.HBgLMTU1NTAxNjc4OTAVAgASGBQzRUIw000000000041EE==',
      'wamid.HBgLMTU1NTAxNjc4OTAVAgASGBQzRUIw000000000043EE==',
    ]);
    const event = await lastEvent();
    expect(event).toMatchObject({ field: 'messages', status: 'flagged' });
    expect(event?.error).toContain(
      'message wamid.HBgLMTU1NTAxNjc4OTAVAgASGBQzRUIw000000000042EE==: field "type" is missing',
    );
    expect(event?.error).toContain(
      'message wamid.HBgLMTU1NTAxNjc4OTAVAgASGBQzRUIw000000000044EE==: the sender id "<WHATSAPP_USER_PHONE_NUMBER>" is not a phone number',
    );
    // Flagged, not failed: nothing for a retry to do.
    expect(await lastDelivery()).toMatchObject({ status: 'processed', attempts: 1 });
    const flagged = (
      await call(parley.app, 'query', 'webhook.list', { status: 'flagged' }, { cookie: parley.owner.token })
    ).data.events;
    expect(flagged.map((e) => e.id)).toContain(event?.id);
  });

  it('records every valid status of the change and flags the malformed one', async () => {
    await deliver(edge('statuses-one-malformed.json'));
    const statuses = await asOwner((tx) =>
      tx.anyFirst(sql.type(z.object({ s: z.string() }))`
        select status as s from app_public.message_statuses where wamid like '%VORDAwMDAwMD%' order by status
      `),
    );
    expect(statuses).toEqual(['delivered', 'read']);
    const event = await lastEvent();
    expect(event?.status).toBe('flagged');
    expect(event?.error).toContain(
      'status wamid.HBgLMTU1NTAxNjc4OTAVAgARGBJPVVRCT1VORDAwMDAwMDUyAA==: field "status" is missing',
    );
  });
});

describe('business-scoped user ids', () => {
  it('applies a BSUID rotation to the contact that had the previous id, and keeps the system message there', async () => {
    await deliver(webhookFixture('text-bsuid-only.json')); // Ren, known only by JP.2209875512340098761
    const contactsBefore = await asOwner((tx) =>
      tx.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_public.contacts`),
    );
    await deliver(edge('system-user-changed-user-id.json'));
    const ren = await asOwner((tx) =>
      tx.one(sql.type(z.object({ bsuid: z.string().nullable(), username: z.string().nullable() }))`
        select bsuid, username from app_public.contacts where username = 'ren.codes'
      `),
    );
    expect(ren.bsuid).toBe('JP.5510932287661200453');
    const conversation = await asOwner((tx) =>
      tx.any(sql.type(z.object({ type: z.string(), username: z.string().nullable() }))`
        select m.type, k.username from app_public.messages m
        join app_public.conversations c on c.id = m.conversation_id
        join app_public.contacts k on k.id = c.contact_id
        where m.wamid like '%31EE==' or m.wamid like '%16AA=='
        order by m.occurred_at
      `),
    );
    expect(conversation).toEqual([
      { type: 'text', username: 'ren.codes' },
      { type: 'system', username: 'ren.codes' },
    ]);
    const contactsAfter = await asOwner((tx) =>
      tx.oneFirst(sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_public.contacts`),
    );
    expect(contactsAfter).toBe(contactsBefore);
    expect(await lastDelivery()).toMatchObject({ status: 'processed', attempts: 1 });
    // A repeat changes nothing (the contact is found by its new id).
    await deliver(edge('system-user-changed-user-id.json'));
    expect(await wamids('31EE==')).toHaveLength(1);
  });

  it('flags a rotation of an id no contact has, and creates no contact without an identifier', async () => {
    await deliver(edge('system-user-changed-user-id-unknown.json'));
    const event = await lastEvent();
    expect(event?.status).toBe('flagged');
    expect(event?.error).toContain('no contact has the previous user id BR.4400000000000000001');
    const nameless = await asOwner((tx) =>
      tx.oneFirst(sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from app_public.contacts where bsuid like 'BR.%' or (wa_id is null and bsuid is null)
      `),
    );
    expect(nameless).toBe(0);
  });

  it('routes an echo to a BSUID-only user by to_user_id, and flags a recipient that cannot be a contact', async () => {
    await deliver(edge('echo-to-user-id.json'));
    const stored = await asOwner((tx) =>
      tx.any(sql.type(z.object({ direction: z.string(), bsuid: z.string().nullable() }))`
        select m.direction, k.bsuid from app_public.messages m
        join app_public.conversations c on c.id = m.conversation_id
        join app_public.contacts k on k.id = c.contact_id
        where m.wamid like '%6_EE=='
      `),
    );
    expect(stored).toEqual([{ direction: 'outbound', bsuid: 'KR.7700112233445566778' }]);
    const event = await lastEvent();
    expect(event?.status).toBe('flagged');
    expect(event?.error).toContain('the recipient id "@not-a-phone-number" is not a phone number');
  });
});

describe('errors no retry can fix', () => {
  it('fails the change at once, saying which field is wrong, instead of retrying it ten times', async () => {
    await deliver(edge('phone-quality-without-number.json'));
    const event = await lastEvent();
    expect(event).toMatchObject({ field: 'phone_number_quality_update', status: 'failed' });
    expect(event?.error).toBe('field "display_phone_number" is missing');
    const delivery = await lastDelivery();
    expect(delivery).toMatchObject({ status: 'failed', attempts: 1 });
    expect(delivery.error).toContain('field "display_phone_number" is missing');
    const retries = await parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from pgboss.job where name = 'webhook.process' and state in ('retry', 'created', 'failed')
    `);
    expect(retries).toBe(0);
  });

  it('describes database refusals in words, naming the rule, and marks them permanent', async () => {
    const refusal = await asOwner((tx) =>
      tx.query(
        sql.unsafe`insert into app_public.contacts (tenant_id, wa_id) values (${parley.owner.tenantId}, 'not-a-number')`,
      ),
    ).catch((error: unknown) => error);
    expect(describeFailure(refusal)).toEqual({
      permanent: true,
      reason:
        'the WhatsApp id is not a phone number (5 to 20 digits) (table contacts, rule contacts_wa_id_check)',
    });
    const missing = await asOwner((tx) =>
      tx.query(sql.unsafe`insert into app_public.contacts (tenant_id) values (${parley.owner.tenantId})`),
    ).catch((error: unknown) => error);
    expect(describeFailure(missing).permanent).toBe(true);
    expect(describeFailure(new Error('connection terminated')).permanent).toBe(false);
  });
});
