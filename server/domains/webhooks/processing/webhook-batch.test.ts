import { createPool, sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { readRuntimeLogin, runtimeUrl } from '../../../db/runtime-login.ts';
import { withTenant } from '../../../db/tx.ts';
import { deliveriesOfJob, webhookProcessPayload } from '../../../jobs/queues.ts';
import { createLogger } from '../../../logger.ts';
import { postWebhook, setupWebhookTestbed } from '../../../test/channels.ts';
import { tenantOutbox } from '../../../jobs/outbox.ts';
import { processWebhookJobs } from './process.ts';

// Issue 17 item 3: a batch of deliveries becomes a handful of statements, with the same outcome as
// processing each delivery on its own.

const parley = setupWebhookTestbed({ workers: false });
// No workers: the tests fetch the jobs themselves, so every delivery lands in one batch.

const body = (field: string, value: Record<string, unknown>) =>
  JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '310000000000001',
        changes: [
          {
            field,
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550101010', phone_number_id: '420000000000001' },
              ...value,
            },
          },
        ],
      },
    ],
  });
const text = (from: string, wamid: string, at: number, words: string) =>
  body('messages', {
    contacts: [{ profile: { name: `Customer ${from}` }, wa_id: from }],
    messages: [{ from, id: wamid, timestamp: String(at), type: 'text', text: { body: words } }],
  });
const status = (wamid: string, name: string, at: number) =>
  body('messages', {
    statuses: [{ id: wamid, status: name, timestamp: String(at), recipient_id: '15550123456' }],
  });

/** Stores the bodies and takes their jobs (one each: posted one at a time). */
async function storeAndFetch(bodies: string[]) {
  for (const payload of bodies)
    expect((await postWebhook(parley.app, parley.channel, payload)).statusCode).toBe(200);
  const jobs = await parley.app.services.boss.fetch('webhook.process', { batchSize: 1000 });
  expect(jobs).toHaveLength(bodies.length);
  return jobs;
}

/** Stores the bodies, then processes all their jobs as one batch; returns how many statements that took. */
async function processAsOneBatch(bodies: string[]): Promise<number> {
  return processJobs(await storeAndFetch(bodies));
}

async function processJobs(jobs: Awaited<ReturnType<typeof storeAndFetch>>): Promise<number> {
  let statements = 0;
  const countingOptions = {
    interceptors: [
      {
        name: 'count-statements',
        beforeQueryExecution: async () => {
          statements++;
          return null;
        },
      },
    ],
  };
  const counting = await createPool(
    runtimeUrl(parley.db.url, await readRuntimeLogin(parley.db.pools.owner)),
    countingOptions,
  );
  // Tenant transactions run on the owner's connection (as parley_app) so that their jobs join them.
  const countingOwner = await createPool(parley.db.url, countingOptions);
  try {
    const failed = await processWebhookJobs(
      { pool: counting, inTenant: tenantOutbox(countingOwner, parley.app.services.boss) },
      createLogger('silent'),
      jobs.flatMap((job) =>
        deliveriesOfJob(webhookProcessPayload.parse(job.data)).map((delivery) => ({
          jobId: job.id,
          ...delivery,
        })),
      ),
    );
    expect([...failed.values()]).toEqual([]);
  } finally {
    await counting.end();
    await countingOwner.end();
  }
  await parley.app.services.boss.complete(
    'webhook.process',
    jobs.map((job) => job.id),
  );
  return statements;
}

const rows = <T extends z.ZodObject>(schema: T, query: ReturnType<typeof sql.unsafe>) =>
  withTenant(parley.app.services.pools.app, parley.tenantId, (tx) => tx.any(sql.type(schema)`${query}`));

describe('processing a batch of deliveries', () => {
  it('writes contacts, conversations, messages, statuses and the log with a handful of statements, as one delivery at a time would', async () => {
    const senders = Array.from({ length: 30 }, (_, i) => `1555020${String(i).padStart(4, '0')}`);
    const bodies: string[] = [];
    // Four messages per sender; the last two share a timestamp, so the later one is the preview.
    for (const [i, from] of senders.entries())
      for (let n = 0; n < 4; n++)
        bodies.push(
          text(from, `wamid.batch-${i}-${n}`, 1_763_990_000 + Math.min(n, 2), `message ${n} of ${from}`),
        );
    bodies.push(text(senders[0] ?? '', 'wamid.batch-0-0', 1_763_990_000, 'the same message again'));
    for (let n = 0; n < 40; n++)
      bodies.push(status(`wamid.unknown-${n % 20}`, n < 20 ? 'sent' : 'delivered', 1_763_990_100));

    const statements = await processAsOneBatch(bodies);
    // Claim, routing, the tenant's transaction (scope, contacts, conversations with messages,
    // statuses, log) and finishing: not one per message (161 deliveries).
    expect(statements).toBeLessThanOrEqual(15);

    const conversations = await rows(
      z.object({ waId: z.string(), unread: z.number(), preview: z.string(), lastInbound: z.string() }),
      sql.unsafe`
        select ct.wa_id as "waId", c.unread_count as unread, c.last_message_preview as preview,
               c.last_inbound_at::text as "lastInbound"
        from app_public.conversations c join app_public.contacts ct on ct.id = c.contact_id
        where ct.wa_id like '1555020%' order by ct.wa_id
      `,
    );
    expect(conversations).toHaveLength(30);
    for (const [i, conversation] of conversations.entries()) {
      expect(conversation).toMatchObject({
        waId: senders[i],
        unread: 4,
        preview: `message 3 of ${senders[i]}`,
      });
      expect(new Date(conversation.lastInbound).getTime()).toBe((1_763_990_000 + 2) * 1000);
    }
    const counts = await rows(
      z.object({ messages: z.number(), statuses: z.number(), events: z.number(), duplicates: z.number() }),
      sql.unsafe`
        select (select count(*)::int from app_public.messages where wamid like 'wamid.batch-%') as messages,
               (select count(*)::int from app_public.message_statuses where wamid like 'wamid.unknown-%') as statuses,
               (select count(*)::int from app_public.webhook_events where status = 'processed') as events,
               (select count(*)::int from app_public.webhook_events where summary like '%(duplicate)') as duplicates
      `,
    );
    expect(counts).toEqual([{ messages: 120, statuses: 40, events: 161, duplicates: 1 }]);
  });

  it('moves messages forward by the best status of the batch, never backwards, whatever the order', async () => {
    await processAsOneBatch([
      body('smb_message_echoes', {
        message_echoes: [
          {
            from: '15550101010',
            to: '15550123456',
            id: 'wamid.echo-1',
            timestamp: '1763990200',
            type: 'text',
            text: { body: 'Sent from the phone' },
          },
        ],
      }),
    ]);
    await processAsOneBatch([
      status('wamid.echo-1', 'read', 1_763_990_203),
      status('wamid.echo-1', 'delivered', 1_763_990_202),
      status('wamid.echo-1', 'sent', 1_763_990_201),
      status('wamid.echo-1', 'read', 1_763_990_203),
    ]);
    const stored = await rows(
      z.object({ status: z.string(), statuses: z.number() }),
      sql.unsafe`
        select m.status, (select count(*)::int from app_public.message_statuses s where s.wamid = m.wamid) as statuses
        from app_public.messages m where m.wamid = 'wamid.echo-1'
      `,
    );
    expect(stored).toEqual([{ status: 'read', statuses: 3 }]);
  });

  it('takes a changed number in the batch item by item, so the messages around it keep one contact', async () => {
    await processAsOneBatch([
      text('15550300001', 'wamid.move-1', 1_763_990_300, 'before the new number'),
      body('messages', {
        messages: [
          {
            from: '15550300001',
            id: 'wamid.move-2',
            timestamp: '1763990301',
            type: 'system',
            system: { body: 'changed their number', wa_id: '15550300002', type: 'user_changed_number' },
          },
        ],
      }),
      text('15550300002', 'wamid.move-3', 1_763_990_302, 'from the new number'),
    ]);
    const contacts = await rows(
      z.object({ waId: z.string().nullable(), messages: z.number() }),
      sql.unsafe`
        select ct.wa_id as "waId", count(m.id)::int as messages
        from app_public.contacts ct
        join app_public.conversations c on c.contact_id = ct.id
        join app_public.messages m on m.conversation_id = c.id
        where m.wamid like 'wamid.move-%' group by ct.wa_id
      `,
    );
    expect(contacts).toEqual([{ waId: '15550300002', messages: 3 }]);
  });

  it('keeps the rest of the batch when the database refuses one item, and says which', async () => {
    // Enough deliveries that the failed batch is split in halves before the bad one goes alone.
    const bodies = Array.from({ length: 39 }, (_, n) =>
      text('15550400001', `wamid.mixed-${n}`, 1_763_990_400 + n, `fine ${n}`),
    );
    // A rule of the database that this one message breaks (any check the batch statement trips).
    await parley.db.pools.owner.query(sql.unsafe`
      alter table app_public.messages add constraint messages_test_refused check (body <> 'refused by a rule')
    `);
    bodies.splice(25, 0, text('15550400001', 'wamid.mixed-bad', 1_763_990_404, 'refused by a rule'));
    await processAsOneBatch(bodies);
    await parley.db.pools.owner.query(
      sql.unsafe`alter table app_public.messages drop constraint messages_test_refused`,
    );
    const stored = await rows(
      z.object({ n: z.number() }),
      sql.unsafe`select count(*)::int as n from app_public.messages where wamid like 'wamid.mixed-%'`,
    );
    expect(stored).toEqual([{ n: 39 }]);
    const [conversation] = await rows(
      z.object({ unread: z.number() }),
      sql.unsafe`
        select c.unread_count as unread from app_public.conversations c
        join app_public.contacts ct on ct.id = c.contact_id where ct.wa_id = '15550400001'
      `,
    );
    expect(conversation).toEqual({ unread: 39 });
    const deliveries = await parley.db.pools.owner.any(sql.type(
      z.object({ status: z.string(), error: z.string().nullable() }),
    )`
      select status, error from app_private.webhook_deliveries
      where convert_from(body, 'UTF8') like '%wamid.mixed-%' order by status
    `);
    expect(deliveries.filter((d) => d.status === 'processed')).toHaveLength(40);
    const [flagged] = await rows(
      z.object({ status: z.string(), error: z.string().nullable() }),
      sql.unsafe`select status, error from app_public.webhook_events where payload::text like '%wamid.mixed-bad%'`,
    );
    expect(flagged).toEqual({ status: 'flagged', error: expect.stringContaining('messages_test_refused') });
  });

  it('lets two batches of one workspace run at once, sharing new senders: one contact and conversation each, every message counted once', async () => {
    // No lock between the batches (issue 17): both find the senders missing and insert them; one
    // waits for the other's commit, skips, and stores its messages into the other's rows.
    const senders = Array.from({ length: 40 }, (_, i) => `1555060${String(i).padStart(4, '0')}`);
    const batch = (half: number) =>
      senders.flatMap((from, i) =>
        [0, 1].map((n) =>
          text(from, `wamid.both-${i}-${half}-${n}`, 1_763_990_600 + half * 2 + n, `half ${half} #${n}`),
        ),
      );
    const first = await storeAndFetch(batch(0));
    const second = await storeAndFetch(batch(1));
    await Promise.all([processJobs(first), processJobs(second)]);
    const conversations = await rows(
      z.object({
        contacts: z.number(),
        conversations: z.number(),
        unread: z.number(),
        seq: z.number(),
        messages: z.number(),
      }),
      sql.unsafe`
        select count(*)::int as contacts, count(c.id)::int as conversations,
               min(c.unread_count) as unread, max(c.inbound_seq)::int as seq,
               min((select count(*) from app_public.messages m where m.conversation_id = c.id))::int as messages
        from app_public.contacts ct join app_public.conversations c on c.contact_id = ct.id
        where ct.wa_id like '1555060%' having max(c.unread_count) = min(c.unread_count)
      `,
    );
    expect(conversations).toEqual([{ contacts: 40, conversations: 40, unread: 4, seq: 4, messages: 4 }]);
  });
});
