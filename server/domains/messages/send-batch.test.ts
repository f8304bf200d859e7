import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { startSendHarness, type SendHarness } from '../../test/send-harness.ts';

/**
 * The worker sends message.send jobs in batches: one transaction paces and claims a batch, and a
 * message whose slot is further than the inline wait keeps that slot while its job waits for it.
 */
const db = setupTestDatabase();
let h: SendHarness;

beforeAll(async () => {
  h = await startSendHarness(db.url);
  // A worker sleeps at most 1 s for a slot here, so a short queue already has slots beyond it.
  h.app.services.sendTiming.maxInlineWaitSeconds = 1;
});
afterAll(async () => {
  await h.close();
});

describe('sending a queue at a number’s pace', () => {
  it('longer than the inline wait: each message goes once, paced, reserved slots kept while the jobs wait', async () => {
    const customers = Array.from({ length: 16 }, (_, k) => `1555017${String(k).padStart(4, '0')}`);
    const conversations: string[] = [];
    for (const waId of customers) conversations.push(await h.conversationWith(waId));
    // Four messages a second (a burst of one): 16 take 3.75 s of slots, more than a worker sleeps.
    await h.app.services.pools.owner.query(
      sql.unsafe`update app_public.phone_numbers set throughput_mps = 4`,
    );

    const queued = await Promise.all(
      conversations.map((conversationId, k) =>
        h.as<{ id: string; status: string }>('message.send', {
          conversationId,
          text: `Your order ${k} shipped`,
        }),
      ),
    );
    expect(queued.every((sent) => sent.status === 200 && sent.data.status === 'queued')).toBe(true);

    const atMeta = await eventually(
      async () => {
        const sent = h.simulator
          .outboundMessages()
          .filter((m) => customers.includes(m.to) && m.type === 'text');
        return sent.length >= customers.length ? sent : undefined;
      },
      'every message at Meta',
      20_000,
    );
    // Once each.
    expect(new Set(atMeta.map((m) => m.to)).size).toBe(customers.length);
    expect(atMeta).toHaveLength(customers.length);
    // Paced, not sent at once: 16 at 4 a second span 3.75 s of slots (a send may go up to 0.5 s after
    // its slot, never before it) — and Meta's one-second bucket refused none of them.
    const times = atMeta.map((m) => m.acceptedAt).sort((a, b) => a - b);
    expect((times.at(-1) ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(3250);
    expect(h.simulator.sendRefusals()[130429]).toBe(0);
    // The last ones waited for their slot away from the worker, with the slot kept in the job.
    const kept = await h.app.services.pools.owner.oneFirst(
      sql.type(z.object({ n: z.number() }))`
        select count(*)::int as n from pgboss.job where name = 'message.send' and data ? 'slotAt'
      `,
    );
    expect(kept).toBeGreaterThan(0);
    for (const sent of queued) {
      await h.until(conversationOf(sent.data.id), sent.data.id, (m) => m.status === 'delivered', 'delivered');
    }

    function conversationOf(messageId: string) {
      return conversations[queued.findIndex((sent) => sent.data.id === messageId)] ?? '';
    }
  });
});
