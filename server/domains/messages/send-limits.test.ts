import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { createTenant } from '../../test/factories.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { newAppKey } from '../channels/service.ts';
import { handlePhoneQualityChange } from '../webhooks/processing/handle-account.ts';

// app_public.reserve_send_slot (sql/functions/41-send-limits.sql): every worker of every node asks the
// same buckets in the database when a message may go.
const db = setupTestDatabase();
const id = z.object({ id: z.string() });
const slot = z.object({
  waitSeconds: z.number().nullable(),
  refusal: z.string().nullable(),
  tierLimit: z.number().nullable(),
  /** The database's clock right after the reservation (epoch seconds). */
  at: z.number(),
});

const batchSlot = z.object({
  messageId: z.string(),
  waitSeconds: z.number().nullable(),
  refusal: z.string().nullable(),
  /** When the reserved slot is, on the database's clock (epoch seconds); null when none was taken. */
  slotAt: z.number().nullable(),
  /** The database's clock right after the reservation (epoch seconds). */
  at: z.number(),
});

let numbers = 0;

/** A workspace with one number (its throughput and tier as given) and a way to queue messages on it. */
async function sendingWorkspace(
  options: { throughput?: number; tier?: string; messagesPerMinute?: number } = {},
) {
  const tenant = await createTenant(db.pools.owner);
  if (options.messagesPerMinute) {
    const plan = `plan-${tenant.slug}`;
    await db.pools.owner.query(sql.unsafe`
      insert into app_private.plans (id, name, messages_per_minute, monthly_conversations, seats, channels)
      values (${plan}, 'Bulk', ${options.messagesPerMinute}, 1000000, 10, 10)
    `);
    await db.pools.owner.query(
      sql.unsafe`update app_private.tenants set plan_id = ${plan} where id = ${tenant.id}`,
    );
  }
  numbers += 1;
  const phoneId = await withTenant(db.pools.app, tenant.id, async (tx) => {
    const channelId = await tx.oneFirst(sql.type(id)`
      insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_version)
      values (${tenant.id}, 'Shop', '900000000000001', ${`3100000000${String(numbers).padStart(5, '0')}`}, ${newAppKey()}, 'v25.0')
      returning id
    `);
    return tx.oneFirst(sql.type(id)`
      insert into app_public.phone_numbers
        (tenant_id, channel_id, phone_number_id, display_phone_number, verified_name, throughput_mps, messaging_limit_tier)
      values (${tenant.id}, ${channelId}, ${`4200000000${String(numbers).padStart(5, '0')}`}, ${`1555020${String(numbers).padStart(4, '0')}`},
              'Shop', ${options.throughput ?? 80}, ${options.tier ?? null})
      returning id
    `);
  });

  /** Pending messages to `waIds` (one each), of `type`, with the customer's window open or not. */
  async function queue(waIds: string[], type = 'text', windowOpen = true): Promise<string[]> {
    const ids = await withTenant(db.pools.app, tenant.id, async (tx) => {
      const ids: string[] = [];
      for (const waId of waIds) {
        const contactId = await tx.oneFirst(
          sql.type(id)`select app_public.upsert_contact(${waId}, null, 'Customer', null) as id`,
        );
        const conversationId = await tx.oneFirst(
          sql.type(id)`select app_public.upsert_conversation(${phoneId}, ${contactId}) as id`,
        );
        ids.push(
          await tx.oneFirst(sql.type(id)`
            insert into app_public.messages (tenant_id, conversation_id, direction, type, body, content, status, occurred_at)
            values (${tenant.id}, ${conversationId}, 'outbound', ${type}, 'Hi', '{}', 'pending', now()) returning id
          `),
        );
      }
      return ids;
    });
    await db.pools.owner.query(sql.unsafe`
      update app_public.conversations set last_inbound_at = ${windowOpen ? sql.fragment`now()` : null}
      where tenant_id = ${tenant.id} and id in (select conversation_id from app_public.messages where id = any(${sql.array(ids, 'uuid')}))
    `);
    return ids;
  }

  const reserve = (messageId: string, maxWait = 1) =>
    withTenant(db.pools.app, tenant.id, (tx) =>
      tx.one(sql.type(slot)`
        select wait_seconds as "waitSeconds", refusal, tier_limit as "tierLimit",
               extract(epoch from clock_timestamp())::float8 as at
        from app_public.reserve_send_slot(${messageId}, ${maxWait})
      `),
    );
  /** One worker's batch: every message reserved in one call, in order. */
  const reserveMany = (messageIds: string[], maxWait = 1) =>
    withTenant(db.pools.app, tenant.id, (tx) =>
      tx.many(sql.type(batchSlot)`
        select message_id as "messageId", wait_seconds as "waitSeconds", refusal,
               extract(epoch from slot_at)::float8 as "slotAt", extract(epoch from clock_timestamp())::float8 as at
        from app_public.reserve_send_slots(${sql.array(messageIds, 'uuid')}, ${maxWait})
      `),
    );
  return { tenant, phoneId, queue, reserve, reserveMany };
}

const customers = (count: number, from = 0) =>
  Array.from({ length: count }, (_, index) => `1555030${String(from + index).padStart(4, '0')}`);

describe('send rate limits in SQL', () => {
  it('paces a number at its throughput when many workers reserve at once, never overdrawing the bucket', async () => {
    const shop = await sendingWorkspace({ throughput: 80, messagesPerMinute: 100_000 });
    const ids = await shop.queue(customers(240));
    // 12 workers at a time, as several nodes with several jobs each would, one message per call.
    const slots: number[] = [];
    let lastReservedAt = 0;
    const pending = [...ids];
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        for (let next = pending.shift(); next; next = pending.shift()) {
          // The slot as the database computed it (a clock read after the call would add its own delay).
          const [reserved] = await shop.reserveMany([next], 10);
          expect(reserved?.refusal).toBeNull();
          lastReservedAt = Math.max(lastReservedAt, reserved?.at ?? 0);
          slots.push(reserved?.slotAt ?? -100);
        }
      }),
    );
    slots.sort((a, b) => a - b);
    const first = slots[0] ?? 0;
    slots.forEach((at, k) => (slots[k] = at - first));
    const burst = 8; // a tenth of a second at 80 msg/s
    // The k-th slot is never earlier than the bucket allows (no two workers got the same token)…
    slots.forEach((at, k) => expect(at).toBeGreaterThanOrEqual((k + 1 - burst) / 80 - 0.002));
    // …and the whole batch is paced at 80 per second, not slower (unless the reservations themselves
    // took longer, on a busy machine: a slot is never before its reservation).
    const last = slots.at(-1) ?? 0;
    expect(last).toBeGreaterThan((240 - burst) / 80 - 0.5);
    expect(last).toBeLessThan(Math.max((240 - burst) / 80, lastReservedAt - first) + 0.5);
  });

  it('paces batches from many workers the same way: one slot per message, in order, none overdrawn', async () => {
    const shop = await sendingWorkspace({ throughput: 80, messagesPerMinute: 100_000 });
    const ids = await shop.queue(customers(240, 1000));
    const batches = Array.from({ length: 12 }, (_, k) => ids.slice(k * 20, k * 20 + 20));
    // Six workers at a time, each reserving a batch of 20 in one call.
    const results = (
      await Promise.all(
        Array.from({ length: 6 }, async () => {
          const mine = [];
          for (let batch = batches.shift(); batch; batch = batches.shift()) {
            const reserved = await shop.reserveMany(batch, 10);
            expect(reserved.map((slot) => slot.messageId)).toEqual(batch); // in the order given
            mine.push(...reserved);
          }
          return mine;
        }),
      )
    ).flat();
    expect(results.every((slot) => slot.refusal === null && slot.slotAt !== null)).toBe(true);
    const slots = results.map((slot) => slot.slotAt ?? 0).sort((a, b) => a - b);
    const first = slots[0] ?? 0;
    const burst = 8;
    slots.forEach((at, k) => expect(at - first).toBeGreaterThanOrEqual((k + 1 - burst) / 80 - 0.002));
    const lastReservedAt = Math.max(...results.map((slot) => slot.at));
    expect((slots.at(-1) ?? 0) - first).toBeLessThan(
      Math.max((240 - burst) / 80, lastReservedAt - first) + 0.5,
    );

    // Beyond the longest wait asked for, a message takes nothing and learns how long it would wait.
    const [late] = await shop.queue(customers(1, 1300));
    const [deferred] = await shop.reserveMany([late ?? ''], 0.5);
    expect(deferred).toMatchObject({ slotAt: null, refusal: null });
    expect(deferred?.waitSeconds).toBeGreaterThan(0.5);
  });

  it('follows the number to 1,000 messages per second when Meta raises its throughput', async () => {
    const shop = await sendingWorkspace({ throughput: 80, messagesPerMinute: 100_000 });
    await withTenant(db.pools.app, shop.tenant.id, async (tx) => {
      const channelId = await tx.oneFirst(
        sql.type(id)`select channel_id as id from app_public.phone_numbers where id = ${shop.phoneId}`,
      );
      const display = await tx.oneFirst(
        sql.type(
          z.object({ d: z.string() }),
        )`select display_phone_number as d from app_public.phone_numbers where id = ${shop.phoneId}`,
      );
      await handlePhoneQualityChange(
        tx,
        { tenantId: shop.tenant.id, channelId },
        { display_phone_number: display, event: 'THROUGHPUT_UPGRADE' },
      );
    });
    const ids = await shop.queue(customers(300));
    const waits: number[] = [];
    for (const messageId of ids) waits.push((await shop.reserve(messageId, 10)).waitSeconds ?? -1);
    // 300 messages at 1,000 per second take under a third of a second of slots.
    expect(Math.max(...waits)).toBeLessThan(0.35);
  });

  it('holds one customer to Meta’s pair rate: a burst, then one message per 6 seconds', async () => {
    const shop = await sendingWorkspace({ messagesPerMinute: 100_000 });
    const [customer] = customers(1, 500);
    const ids = await shop.queue(Array.from({ length: 41 }, () => customer ?? ''));
    // One batch, so the pair bucket's refill cannot sneak in between the reservations.
    const waits = await shop.reserveMany(ids);
    expect(waits.slice(0, 40).every((w) => w.waitSeconds !== null && w.waitSeconds <= 1)).toBe(true);
    // The 41st must wait about 6 s: more than a worker sleeps, so it is put back (nothing taken).
    expect(waits[40]?.waitSeconds).toBeGreaterThan(5);
    expect(waits[40]?.waitSeconds).toBeLessThan(6.5);
    expect(waits[40]).toMatchObject({ refusal: null, slotAt: null });
    // Another customer is not held up by the first one's pair rate.
    const [other] = await shop.queue(customers(1, 600));
    expect((await shop.reserve(other ?? '')).waitSeconds).toBeLessThanOrEqual(1);
  });

  it("holds a workspace to its plan's messages per minute", async () => {
    const shop = await sendingWorkspace({ messagesPerMinute: 60, throughput: 1000 });
    const ids = await shop.queue(customers(61, 700));
    // One batch, so the bucket's refill (one a second) cannot sneak in between the reservations.
    const waits = (await shop.reserveMany(ids, 0.05)).map((slot) => slot.waitSeconds ?? -1);
    expect(waits.slice(0, 60).every((wait) => wait === 0)).toBe(true);
    // A minute's worth has gone: the next one waits for the refill, and takes nothing.
    expect(waits[60]).toBeGreaterThan(0.05);
  });

  it('refuses business-initiated conversations beyond the messaging tier, and only those', async () => {
    const shop = await sendingWorkspace({ tier: 'TIER_50', messagesPerMinute: 100_000 });
    const first = await shop.queue(customers(50, 800), 'template', false);
    for (const messageId of first) expect((await shop.reserve(messageId, 60)).refusal).toBeNull();

    const [beyond] = await shop.queue(customers(1, 900), 'template', false);
    expect(await shop.reserve(beyond ?? '', 60)).toMatchObject({
      waitSeconds: null,
      refusal: 'tier',
      tierLimit: 50,
    });
    // A customer already reached today does not count twice; replies in an open window never count.
    const [again] = await shop.queue(customers(1, 800), 'template', false);
    expect((await shop.reserve(again ?? '', 60)).refusal).toBeNull();
    const [reply] = await shop.queue(customers(1, 950), 'text', true);
    expect((await shop.reserve(reply ?? '', 60)).refusal).toBeNull();
  });

  it('answers only for the workspace in scope', async () => {
    const shop = await sendingWorkspace();
    const [messageId] = await shop.queue(customers(1, 990));
    const stranger = await createTenant(db.pools.owner);
    await expect(
      withTenant(db.pools.app, stranger.id, (tx) =>
        tx.query(sql.unsafe`select * from app_public.reserve_send_slot(${messageId ?? ''}, 1)`),
      ),
    ).rejects.toThrow(/no such outbound message/);
  });
});
