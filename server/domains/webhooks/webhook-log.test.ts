import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { postWebhook, processed, webhookFixture, setupWebhookTestbed } from '../../test/channels.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';

const parley = setupWebhookTestbed({ owner: true });

const list = async (input: Record<string, unknown> = {}) =>
  (
    await call(parley.app, 'query', 'webhook.list', input, {
      cookie: parley.owner.token,
    })
  ).data;

/** Every row the tenant's webhooks produced, to compare before and after replays. */
const everything = () =>
  parley.db.pools.owner.oneFirst(sql.type(z.object({ s: z.unknown() }))`
    select jsonb_build_object(
      'messages', (select jsonb_agg(m order by m.id) from app_public.messages m),
      'contacts', (select jsonb_agg(c order by c.id) from app_public.contacts c),
      'conversations', (select jsonb_agg(c order by c.id) from app_public.conversations c),
      'statuses', (select jsonb_agg(s order by s.wamid, s.status) from app_public.message_statuses s),
      'reactions', (select jsonb_agg(r order by r.message_wamid) from app_public.message_reactions r),
      'templates', (select jsonb_agg(t order by t.id) from app_public.templates t),
      'events', (select count(*) from app_public.webhook_events)
    ) as s
  `);

describe('webhook log', () => {
  it('lists what Meta sent, newest first, with a summary and filters; shows one change in full', async () => {
    for (const name of ['text.json', 'status-sent.json', 'template-status-approved.json']) {
      expect((await postWebhook(parley.app, parley.channel, webhookFixture(name))).statusCode).toBe(200);
    }
    await processed(parley.app);
    const { events } = await list();
    expect(events.map((e) => e.field)).toEqual(['message_template_status_update', 'messages', 'messages']);
    expect(events[2]?.summary).toBe('text message from 15550123456');
    expect(events.every((e) => e.status === 'processed')).toBe(true);

    const templatesOnly = await list({ field: 'message_template_status_update' });
    expect(templatesOnly.events).toHaveLength(1);
    const detail = await call(
      parley.app,
      'query',
      'webhook.byId',
      { id: templatesOnly.events[0]?.id },
      { cookie: parley.owner.token },
    );
    expect(detail.data.payload).toMatchObject({ event: 'APPROVED' });

    const page = await list({ limit: 2 });
    expect(page.events).toHaveLength(2);
    const next = await list({ limit: 2, before: page.nextBefore });
    expect(next.events.map((e) => e.id)).not.toContain(page.events[0]?.id);
  });

  it('replaying everything, twice, changes nothing', async () => {
    for (const name of ['reaction.json', 'status-read.json', 'image.json'])
      await postWebhook(parley.app, parley.channel, webhookFixture(name));
    await processed(parley.app);
    const before = await everything();
    for (let round = 0; round < 2; round++) {
      const replay = await call(parley.app, 'mutation', 'webhook.replay', {}, { cookie: parley.owner.token });
      expect(replay.data.queued).toBeGreaterThanOrEqual(6);
      await waitForIdleQueue();
    }
    expect(await everything()).toEqual(before);
  });

  it('shows a processing failure in the log, and its retry repairs it once the cause is fixed', async () => {
    // Break processing for statuses on purpose: the worker loses its insert privilege.
    await parley.db.pools.owner.query(
      sql.unsafe`revoke insert on app_public.message_statuses from parley_app`,
    );
    try {
      await postWebhook(parley.app, parley.channel, webhookFixture('status-delivered.json'));
      const failed = await eventually(
        async () => (await list({ status: 'failed' })).events[0],
        'the failure in the log',
        15_000,
      );
      expect(failed.error).toMatch(/permission denied/);
      const delivery = await parley.db.pools.owner.one(sql.type(
        z.object({ status: z.string(), error: z.string().nullable() }),
      )`
        select status, error from app_private.webhook_deliveries where id = ${failed.deliveryId}
      `);
      expect(delivery.status).toBe('failed');
    } finally {
      await parley.db.pools.owner.query(
        sql.unsafe`grant insert on app_public.message_statuses to parley_app`,
      );
    }
    // Its automatic retry is already queued, so a replay does not queue it a second time.
    const replay = await call(
      parley.app,
      'mutation',
      'webhook.replay',
      { status: 'failed' },
      { cookie: parley.owner.token },
    );
    expect(replay.data).toMatchObject({ queued: 0, more: false });
    await eventually(
      async () => ((await list({ status: 'failed' })).events.length === 0 ? true : undefined),
      'the retry to repair the failure',
      15_000,
    );
    const delivered = await parley.db.pools.owner.exists(
      sql.unsafe`select 1 from app_public.message_statuses where status = 'delivered'`,
    );
    expect(delivered).toBe(true);
  });
});

/** Replays re-run deliveries already marked processed, so wait on the queue itself. */
async function waitForIdleQueue(): Promise<void> {
  await eventually(
    async () => {
      const open = await parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from pgboss.job where name = 'webhook.process' and state in ('created', 'retry', 'active')
    `);
      return open === 0 ? true : undefined;
    },
    'the webhook.process queue to be idle',
    15_000,
  );
}
