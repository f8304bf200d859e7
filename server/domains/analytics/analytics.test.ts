import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant, type Tx } from '../../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { connectTestChannel } from '../../test/channels.ts';
import { call } from '../../test/http-client.ts';
import { runAnalyticsRollup } from './service.ts';

const parley = setupTestApp();
const { db } = parley;

interface Workspace {
  owner: SignedUp;
  phoneNumberId: string;
}

let sequence = 0;
async function workspace(timeZone: string): Promise<Workspace> {
  const owner = await signUpViaHttp(parley.app);
  sequence++;
  const channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: `7700${sequence}`,
    phoneNumberId: `8800${sequence}`,
    displayPhoneNumber: `+1 555 010 ${sequence}`,
  });
  await db.pools.owner.query(
    sql.unsafe`update app_private.tenants set time_zone = ${timeZone} where id = ${owner.tenantId}`,
  );
  return { owner, phoneNumberId: channel.phoneNumberUuid };
}

/** Rows written the way the product writes them: parley_app, in the workspace's scope, as `userId`. */
const as = <T>(w: Workspace, fn: (tx: Tx) => Promise<T>, userId: string | null = null) =>
  withTenant(db.pools.app, w.owner.tenantId, fn, { userId });

const id = z.object({ id: z.string() });

async function conversation(w: Workspace, waId: string, createdAt = '2026-01-01T00:00:00Z') {
  return as(w, async (tx) => {
    const contact = await tx.oneFirst(sql.type(id)`
      insert into app_public.contacts (tenant_id, wa_id, profile_name) values (${w.owner.tenantId}, ${waId}, 'Customer')
      returning id
    `);
    return tx.oneFirst(sql.type(id)`
      insert into app_public.conversations (tenant_id, phone_number_id, contact_id, created_at)
      values (${w.owner.tenantId}, ${w.phoneNumberId}, ${contact}, ${createdAt})
      returning id
    `);
  });
}

let wamids = 0;
function message(
  tx: Tx,
  w: Workspace,
  conversationId: string,
  m: { direction: 'inbound' | 'outbound'; at: string; type?: string; status?: string; sentBy?: string },
) {
  wamids++;
  return tx.oneFirst(sql.type(id)`
    insert into app_public.messages
      (tenant_id, conversation_id, wamid, direction, type, body, content, status, occurred_at, sent_by_user_id)
    values (${w.owner.tenantId}, ${conversationId}, ${`wamid.analytics.${process.pid}.${wamids}`}, ${m.direction},
            ${m.type ?? 'text'}, 'hello', '{}', ${m.status ?? (m.direction === 'inbound' ? 'received' : 'pending')},
            ${m.at}, ${m.sentBy ?? null})
    returning id
  `);
}

async function overview(w: Workspace, input: Record<string, unknown>, cookie = w.owner.token) {
  const result = await call(parley.app, 'query', 'analytics.overview', input, { cookie });
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  return result.data;
}

const setStatuses = (tx: Tx, ids: readonly string[], status: string, error: object | null = null) =>
  tx.query(sql.unsafe`
    update app_public.messages set status = ${status}, error = ${error ? sql.jsonb(error as never) : null}
    where id = any(${sql.array(ids, 'uuid')})
  `);

describe('analytics', () => {
  let shop: Workspace;
  beforeAll(async () => {
    shop = await workspace('Europe/Madrid');
  });

  it('counts a delivery funnel exactly: 37 read of 50 delivered, failures by code, whatever order statuses come in', async () => {
    const conversationId = await conversation(shop, '34600000001');
    await as(shop, async (tx) => {
      const sent: string[] = [];
      for (let i = 0; i < 60; i++) {
        sent.push(
          await message(tx, shop, conversationId, {
            direction: 'outbound',
            at: `2026-03-03T09:${String(i).padStart(2, '0')}:00Z`,
          }),
        );
      }
      await setStatuses(tx, sent.slice(0, 55), 'sent');
      await setStatuses(tx, sent.slice(0, 20), 'read'); // read reported before delivered: still delivered
      await setStatuses(tx, sent.slice(20, 50), 'delivered');
      await setStatuses(tx, sent.slice(20, 37), 'read');
      await setStatuses(tx, sent.slice(55, 58), 'failed', [{ code: 131047, title: 'Re-engagement message' }]);
      await setStatuses(tx, sent.slice(58, 60), 'failed', { code: 131026, message: 'Not on WhatsApp' });
      await message(tx, shop, conversationId, {
        direction: 'inbound',
        at: '2026-03-03T10:00:00Z',
        type: 'image',
      });
    });

    const figures = await overview(shop, { from: '2026-03-03', to: '2026-03-03' });
    expect(figures.totals).toMatchObject({
      messagesIn: 1,
      messagesOut: 60,
      sent: 55,
      delivered: 50,
      read: 37,
      failed: 5,
      readRate: 37 / 50,
      deliveryRate: 50 / 55,
      failureRate: 5 / 60,
    });
    expect(figures.failuresByCode).toEqual([
      { code: '131047', count: 3 },
      { code: '131026', count: 2 },
    ]);
    expect(figures.messagesByType).toEqual([
      { type: 'text', inbound: 0, outbound: 60 },
      { type: 'image', inbound: 1, outbound: 0 },
    ]);
    expect(figures.daily).toEqual([
      {
        day: '2026-03-03',
        messagesIn: 1,
        messagesOut: 60,
        delivered: 50,
        read: 37,
        failed: 5,
        conversationsResolved: 0,
      },
    ]);
    // The day before holds none of it: the previous period is empty.
    expect(figures.previous).toMatchObject({ messagesOut: 0, sent: 0, readRate: null });
  });

  it('counts days and hours in the workspace time zone across a DST change, with known response medians', async () => {
    const ny = await workspace('America/New_York');
    const agent = ny.owner.userId;
    // New York left daylight time on 2026-11-01 at 02:00 local: that day has 25 hours.
    const waits = [
      { inbound: '2026-11-01T03:30:00Z', seconds: 60 }, // 2026-10-31 23:30 EDT
      { inbound: '2026-11-01T05:30:00Z', seconds: 120 }, // 2026-11-01 01:30 EDT
      { inbound: '2026-11-01T06:30:00Z', seconds: 180 }, // 2026-11-01 01:30 EST, the hour again
      { inbound: '2026-11-02T04:30:00Z', seconds: 240 }, // 2026-11-01 23:30 EST
      { inbound: '2026-11-02T05:30:00Z', seconds: 300 }, // 2026-11-02 00:30 EST
    ];
    for (const [index, wait] of waits.entries()) {
      const conversationId = await conversation(ny, `1202555010${index}`);
      await as(
        ny,
        async (tx) => {
          await message(tx, ny, conversationId, { direction: 'inbound', at: wait.inbound });
          // A second customer message before the reply does not restart the wait.
          const later = new Date(Date.parse(wait.inbound) + 30_000).toISOString();
          await message(tx, ny, conversationId, { direction: 'inbound', at: later });
          const replied = new Date(Date.parse(wait.inbound) + wait.seconds * 1000).toISOString();
          await message(tx, ny, conversationId, { direction: 'outbound', at: replied, sentBy: agent });
          // A follow-up with no customer message in between is not a response.
          const followUp = new Date(Date.parse(replied) + 3_600_000).toISOString();
          await message(tx, ny, conversationId, { direction: 'outbound', at: followUp, sentBy: agent });
        },
        agent,
      );
    }

    const figures = await overview(ny, { from: '2026-10-31', to: '2026-11-02' });
    expect(figures.timeZone).toBe('America/New_York');
    expect(figures.daily.map((d) => [d.day, d.messagesIn])).toEqual([
      ['2026-10-31', 2],
      ['2026-11-01', 6],
      ['2026-11-02', 2],
    ]);
    expect(figures.firstResponse).toEqual({ count: 5, medianSeconds: 180, p90Seconds: 276 });
    expect(figures.agents).toEqual([
      expect.objectContaining({
        userId: agent,
        name: ny.owner.me.user.displayName,
        replies: 10,
        firstResponse: { count: 5, medianSeconds: 180, p90Seconds: 276 },
      }),
    ]);
    // Both 01:30s fall in the local hour 1 of Sunday (ISO weekday 7).
    expect(figures.busiestHours).toContainEqual({ weekday: 7, hour: 1, messagesIn: 4 });
    // One day alone: only its own waits.
    const sunday = await overview(ny, { from: '2026-11-01', to: '2026-11-01' });
    expect(sunday.firstResponse).toMatchObject({ count: 3, medianSeconds: 180 }); // 120, 180 and 240
  });

  it('keeps the figures through compaction, rebuilds them when the time zone moves to half hours', async () => {
    const india = await workspace('UTC');
    const conversationId = await conversation(india, '919800000001');
    await as(india, async (tx) => {
      await message(tx, india, conversationId, { direction: 'inbound', at: '2026-03-10T18:20:00Z' }); // 23:50 IST
      await message(tx, india, conversationId, { direction: 'inbound', at: '2026-03-10T18:40:00Z' }); // 00:10 IST
    });
    const before = await overview(india, { from: '2026-03-10', to: '2026-03-11' });
    expect(before.daily.map((d) => d.messagesIn)).toEqual([2, 0]);

    // The first run builds every workspace from its rows and folds the deltas: nothing changes.
    await runAnalyticsRollup(db.pools.owner);
    expect(await overview(india, { from: '2026-03-10', to: '2026-03-11' })).toEqual(before);
    expect(await overview(shop, { from: '2026-03-03', to: '2026-03-03' })).toMatchObject({
      totals: { messagesOut: 60, sent: 55, delivered: 50, read: 37, failed: 5 },
    });
    const pending = await db.pools.owner.oneFirst(
      sql.type(z.object({ n: z.number() }))`select count(*)::int as n from app_public.analytics_deltas`,
    );
    expect(pending).toBe(0);

    // Kolkata's hours start at :30 UTC: its days need buckets of its own, so the next run rebuilds.
    await call(
      parley.app,
      'mutation',
      'campaign.setTimeZone',
      { timeZone: 'Asia/Kolkata' },
      { cookie: india.owner.token },
    );
    expect((await runAnalyticsRollup(db.pools.owner)).rebuilt).toBe(1);
    const after = await overview(india, { from: '2026-03-10', to: '2026-03-11' });
    expect(after.timeZone).toBe('Asia/Kolkata');
    expect(after.daily.map((d) => d.messagesIn)).toEqual([1, 1]);
    expect(after.busiestHours).toEqual([
      { weekday: 2, hour: 23, messagesIn: 1 },
      { weekday: 3, hour: 0, messagesIn: 1 },
    ]);
    // A whole-hour move keeps them: nothing to rebuild.
    expect((await runAnalyticsRollup(db.pools.owner)).rebuilt).toBe(0);
  });

  it('counts resolutions, reopenings and resolution time by the member who resolved', async () => {
    const desk = await workspace('UTC');
    const twoHoursAgo = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const conversationId = await conversation(desk, '447700900001', twoHoursAgo);
    await as(desk, (tx) => message(tx, desk, conversationId, { direction: 'inbound', at: twoHoursAgo }));
    const setStatus = async (status: string) => {
      const version = await as(desk, (tx) =>
        tx.oneFirst(sql.type(z.object({ v: z.number() }))`
          select workflow_version as v from app_public.conversations where id = ${conversationId}
        `),
      );
      const result = await call(
        parley.app,
        'mutation',
        'conversation.setStatus',
        { id: conversationId, version, status },
        {
          cookie: desk.owner.token,
        },
      );
      expect(result.status, JSON.stringify(result.error)).toBe(200);
    };
    await setStatus('resolved');
    await setStatus('open');
    await setStatus('resolved');

    const today = new Date().toISOString().slice(0, 10);
    const figures = await overview(desk, { from: today, to: today });
    expect(figures.totals).toMatchObject({ conversationsResolved: 2, conversationsReopened: 1 });
    expect(figures.resolution.count).toBe(2);
    // The first took about two hours; the second, after the reopening, moments.
    expect(figures.resolution.p90Seconds).toBeGreaterThan(5_000);
    expect(figures.agents).toEqual([
      expect.objectContaining({ userId: desk.owner.userId, resolutions: 2, replies: 0 }),
    ]);
  });

  it('records which member wrote a message sent through the app', async () => {
    const conversationId = await conversation(shop, '34600000002');
    await as(shop, (tx) =>
      tx.query(sql.unsafe`
        update app_public.conversations set last_inbound_at = now() where id = ${conversationId}
      `),
    );
    const sent = await call(
      parley.app,
      'mutation',
      'message.send',
      { conversationId, text: 'On its way' },
      {
        cookie: shop.owner.token,
      },
    );
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);
    const author = await as(shop, (tx) =>
      tx.oneFirst(sql.type(z.object({ u: z.string().nullable() }))`
        select sent_by_user_id as u from app_public.messages where conversation_id = ${conversationId}
      `),
    );
    expect(author).toBe(shop.owner.userId);
  });

  it('shows a workspace only its own figures, to admins only, and explains a bad range', async () => {
    const other = await workspace('Europe/Madrid');
    const theirs = await overview(other, { from: '2026-03-03', to: '2026-03-03' });
    expect(theirs.totals).toMatchObject({ messagesOut: 0, messagesIn: 0 });
    expect(theirs.failuresByCode).toEqual([]);
    // Filtering by another workspace's number finds nothing either.
    const probing = await overview(other, {
      from: '2026-03-03',
      to: '2026-03-03',
      phoneNumberId: shop.phoneNumberId,
    });
    expect(probing.totals.messagesOut).toBe(0);

    const invited = await call(
      parley.app,
      'mutation',
      'invitation.create',
      { email: `agent-${process.pid}@example.test`, role: 'agent' },
      { cookie: shop.owner.token },
    );
    expect(invited.status, JSON.stringify(invited.error)).toBe(200);
    const agent = await signUpViaHttp(parley.app, {
      invitationToken: invited.data.link.split('/invite/')[1] ?? '',
    });
    const refused = await call(
      parley.app,
      'query',
      'analytics.overview',
      { from: '2026-03-03', to: '2026-03-03' },
      {
        cookie: agent.token,
      },
    );
    expect(refused.status).toBe(403);

    const backwards = await call(
      parley.app,
      'query',
      'analytics.overview',
      { from: '2026-03-04', to: '2026-03-03' },
      {
        cookie: shop.owner.token,
      },
    );
    expect(backwards.status).toBe(400);
    expect(backwards.error?.message).toBe('The start date must not be after the end date.');
  });
});
