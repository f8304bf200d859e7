import { setImmediate as yieldToIo } from 'node:timers/promises';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { withTenant, type Tx } from '../../../db/tx.ts';
import type { AppServices } from '../../../app-services.ts';
import { tenantOutbox, type TenantOutbox } from '../../../jobs/outbox.ts';
import { queueMediaFetches } from '../../media/fetch-queue.ts';
import { assignDueConversations } from '../../autoAssign/service.ts';
import type { Logger } from '../../../logger.ts';
import { mark, traceEnabled } from '../../../observability/latency-trace.ts';
import { describeFailure } from './failure.ts';
import {
  handleAccountUpdate,
  handlePhoneQualityChange,
  handleTemplateChange,
  type RoutedAccount,
} from './handle-account.ts';
import {
  handleMessagesChange,
  type ChangeOutcome,
  type ItemGuard,
  type RoutedNumber,
} from './handle-messages.ts';
import { InboundBatch } from './inbound-batch.ts';
import { parseWebhookBody } from '../../../whatsapp/webhook-body.ts';
import { messagesValueSchema } from '../../../whatsapp/webhook-payloads.ts';
import { insertWebhookEvents, type WebhookEventInput } from './queries.ts';
import { routeChanges, type Change, type Routed } from './routing.ts';

const claimedRow = z.object({
  jobId: z.string(),
  deliveryId: z.string(),
  appKey: z.string().nullable(),
  body: z.instanceof(Buffer).nullable(),
  busy: z.boolean(),
});

const templateFields = new Set([
  'message_template_status_update',
  'message_template_quality_update',
  'template_category_update',
]);

/**
 * Workspace transactions of one batch run at once, at most. Two fetches per node, each up to this
 * many tenant transactions: 8 of the owner pool's connections (DATABASE_POOL_SIZE, default 20).
 */
const tenantsAtOnce = 4;

/** Runs `work` for every item, at most `limit` at a time; rejects with the first failure (after the others settle). */
async function eachAtMost<T>(limit: number, items: T[], work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, lane));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
}

/** What else should happen after a batch: template webhooks ask for a sync of their channel's templates. */
export interface WebhookHooks {
  templatesChanged?: (accounts: RoutedAccount[]) => Promise<void>;
}

/** Where processing writes: claims, routing and the finish as parley_app; each tenant's rows with an outbox. */
export interface ProcessingDb {
  pool: DatabasePool;
  /**
   * A transaction under the tenant's row-level security whose queued jobs commit with it
   * (tenantOutbox in jobs/outbox.ts): inbound media's media.fetch jobs are queued there.
   */
  inTenant: TenantOutbox;
}

/** The app's processing database: its runtime pool, and tenant outbox transactions on the owner's. */
export const processingDb = (services: Pick<AppServices, 'pools' | 'boss'>): ProcessingDb => ({
  pool: services.pools.app,
  inTenant: tenantOutbox(services.pools.owner, services.boss),
});

export interface WebhookJob {
  jobId: string;
  deliveryId: string;
  /** The request that received the delivery, so log lines can be followed end to end. */
  requestId?: string | undefined;
}

/**
 * Applies one change. With a batch (the fast path) its messages and statuses join the batch, whose
 * flush fills the outcome in; without one, the outcome is complete on return.
 */
async function applyChange(
  tx: Tx,
  routed: Routed,
  change: Change,
  guard: ItemGuard,
  batch?: InboundBatch,
): Promise<ChangeOutcome> {
  const { number, account } = routed;
  if (number)
    return handleMessagesChange(
      number satisfies RoutedNumber,
      messagesValueSchema.parse(change.value),
      guard,
      batch,
    );
  const done = (summary: string) => ({ notes: [summary], flags: [] });
  if (account && templateFields.has(change.field))
    return done(await handleTemplateChange(tx, account satisfies RoutedAccount, change.field, change.value));
  if (account && change.field === 'phone_number_quality_update')
    return done(await handlePhoneQualityChange(tx, account, change.value));
  if (account && change.field === 'account_update')
    return done(await handleAccountUpdate(tx, account, change.value));
  return done(`${change.field} recorded`);
}

const eventOf = (change: Change, { notes, flags }: ChangeOutcome): WebhookEventInput => {
  const summary = notes.filter(Boolean).join('; ') || (flags.length > 0 ? 'nothing stored' : 'no messages');
  return {
    deliveryId: change.deliveryId,
    changeIndex: change.index,
    field: change.field,
    summary: summary.slice(0, 1000),
    payload: change.value,
    status: flags.length > 0 ? 'flagged' : 'processed',
    error: flags.length > 0 ? flags.join('; ').slice(0, 2000) : null,
  };
};

const failedEvent = (change: Change, summary: string, error: string): WebhookEventInput => ({
  deliveryId: change.deliveryId,
  changeIndex: change.index,
  field: change.field,
  summary,
  payload: change.value,
  status: 'failed',
  error: error.slice(0, 2000),
});

/** The fast path: item-by-item work waits in the batch and runs when it is flushed (any failure fails the whole group). */
const deferTo =
  (batch: InboundBatch): ItemGuard =>
  async (_label, work) => {
    batch.addItem(work);
  };

/**
 * One tenant's changes of a batch in one transaction: messages and statuses as a handful of set
 * statements, the rest item by item, then one insert into the webhook log.
 */
async function applyGroup(tx: Tx, group: { routed: Routed; change: Change }[]): Promise<void> {
  const batch = new InboundBatch(tx);
  const outcomes: { change: Change; outcome: ChangeOutcome }[] = [];
  for (const [position, { routed: target, change }] of group.entries()) {
    if (position % 50 === 49) await yieldToIo(); // validating items is CPU too: let HTTP requests in
    outcomes.push({ change, outcome: await applyChange(tx, target, change, deferTo(batch), batch) });
  }
  await batch.flush();
  await insertWebhookEvents(
    tx,
    outcomes.map(({ change, outcome }) => eventOf(change, outcome)),
  );
}

/** The careful path: each item in its own savepoint; a permanent refusal is flagged and its neighbours kept. */
const savepointEach =
  (tx: Tx, flags: string[]): ItemGuard =>
  async (label, work) => {
    try {
      await tx.transaction((inner) => work(inner));
    } catch (error) {
      const failure = describeFailure(error);
      if (!failure.permanent) throw error;
      flags.push(`${label}: ${failure.reason}`);
    }
  };

/**
 * The webhook.process jobs of a batch: turns stored deliveries into rows. Each delivery is claimed
 * first (the same delivery never runs twice at once: a job whose delivery another job is processing
 * fails, to be retried). All changes of one tenant in the batch are applied in one transaction with
 * a handful of set statements (applyGroup); if that fails, it is split in halves and, below a small
 * size, its changes are retried one by one, each item in a savepoint, so one bad message cannot hold
 * the others back.
 * Refusals no retry can fix (invalid data, broken rules) are recorded at once with their reason;
 * only the rest is retried. Idempotent — every write is keyed by wamid, (wamid, status) or
 * (delivery, change) — so retries and replays change nothing twice. Returns the jobs to fail (and
 * retry), with why.
 */
export async function processWebhookJobs(
  db: ProcessingDb,
  logger: Logger,
  jobs: WebhookJob[],
  hooks: WebhookHooks = {},
): Promise<Map<string, string>> {
  const { pool } = db;
  mark('process.start', { jobs: jobs.length });
  // Every tenant transaction that may store messages ends by queueing the fetch of the media it
  // stored: the message, its media row and its media.fetch job commit together.
  const storing = <T>(tenantId: string, fn: (tx: Tx) => Promise<T>) =>
    db
      .inTenant(tenantId, async (tx, outbox) => {
        mark('process.tenant.begin', { tenantId });
        const result = await fn(tx);
        await queueMediaFetches(tx, outbox, tenantId);
        // Round robin for the conversations this transaction opened unassigned (collaboration).
        await assignDueConversations(tx);
        mark('process.tenant.done', { tenantId });
        return result;
      })
      .finally(() => mark('process.tenant.committed', { tenantId }));
  const rows = await pool.any(
    sql.type(claimedRow)`
      select job_id as "jobId", delivery_id as "deliveryId", app_key as "appKey", body, busy
      from app_public.claim_webhook_jobs(${sql.array(
        jobs.map((job) => job.jobId),
        'uuid',
      )})
    `,
  );
  if (traceEnabled()) mark('process.claimed', { deliveryIds: rows.map((row) => row.deliveryId) });
  const requestIds = new Map(jobs.map((job) => [job.deliveryId, job.requestId]));
  const jobOf = new Map(rows.map((row) => [row.deliveryId, row.jobId]));
  const outcome = new Map<string, string[]>(); // delivery → problems recorded on it
  const changes: Change[] = [];
  const busy = new Map<string, string>(); // job → why it waits
  for (const [position, row] of rows.entries()) {
    // Parsing a few hundred bodies is milliseconds of CPU: let waiting HTTP requests (ingest) in between.
    if (position % 25 === 24) await yieldToIo();
    const { body, appKey } = row;
    if (row.busy || !body || !appKey) {
      busy.set(row.jobId, 'Another job is processing this delivery right now; retried later.');
      continue;
    }
    outcome.set(row.deliveryId, []);
    const parsed = parseWebhookBody(body);
    if (!parsed.ok) {
      // No retry can fix a body that is not a WhatsApp webhook: recorded on the delivery, job completes.
      outcome.get(row.deliveryId)?.push(parsed.problem);
      logger.warn(
        { reqId: requestIds.get(row.deliveryId), deliveryId: row.deliveryId, problem: parsed.problem },
        'webhook delivery cannot be processed',
      );
      continue;
    }
    let index = 0;
    for (const entry of parsed.body.entry) {
      for (const change of entry.changes)
        changes.push({
          deliveryId: row.deliveryId,
          appKey,
          index: index++,
          wabaId: entry.id,
          ...change,
        });
    }
  }

  const { routed, unrouted } = await routeChanges(pool, changes);
  if (unrouted.length > 0) {
    await pool.query(sql.unsafe`
      select app_public.record_unrouted_webhook_events(${sql.jsonb(
        unrouted.map(({ change, phoneNumberId, reason }) => ({
          delivery_id: change.deliveryId,
          change_index: change.index,
          field: change.field,
          phone_number_id: phoneNumberId ?? null,
          waba_id: change.wabaId,
          reason,
          payload: change.value,
        })) as never,
      )})
    `);
  }
  mark('process.routed', { n: routed.length });
  const byTenant = new Map<string, { routed: Routed; change: Change }[]>();
  for (const item of routed) {
    const group = byTenant.get(item.routed.tenantId) ?? [];
    group.push(item);
    byTenant.set(item.routed.tenantId, group);
  }

  const retry = new Map<string, string>(); // delivery → why its job should be retried
  const applyOneByOne = async (tenantId: string, group: { routed: Routed; change: Change }[]) => {
    for (const { routed: target, change } of group) {
      try {
        await storing(tenantId, async (tx) => {
          const flags: string[] = [];
          const result = await applyChange(tx, target, change, savepointEach(tx, flags));
          await insertWebhookEvents(tx, [eventOf(change, { ...result, flags: [...result.flags, ...flags] })]);
        });
      } catch (error) {
        const failure = describeFailure(error);
        const problem = `change ${change.index} (${change.field}): ${failure.reason}`;
        logger.warn(
          { reqId: requestIds.get(change.deliveryId), deliveryId: change.deliveryId, err: error },
          failure.permanent ? 'webhook change refused; not retried' : 'webhook change failed; will retry',
        );
        outcome.get(change.deliveryId)?.push(problem);
        if (!failure.permanent)
          retry.set(change.deliveryId, [retry.get(change.deliveryId), problem].filter(Boolean).join('; '));
        await withTenant(pool, tenantId, (tx) =>
          insertWebhookEvents(tx, [
            failedEvent(
              change,
              failure.permanent ? 'refused' : 'failed to process; will retry',
              failure.reason,
            ),
          ]),
        ).catch(() => undefined);
      }
    }
  };
  // A failed batch is split in halves, each tried as a batch again: one bad item among hundreds costs
  // a few more batch transactions, and only the small group around it goes one change at a time.
  const applyInBatches = async (tenantId: string, group: { routed: Routed; change: Change }[]) => {
    try {
      await storing(tenantId, (tx) => applyGroup(tx, group));
      return;
    } catch (error) {
      logger.debug({ tenantId, changes: group.length, err: error }, 'webhook batch failed; split');
    }
    if (group.length < 16) return applyOneByOne(tenantId, group);
    const half = Math.ceil(group.length / 2);
    await applyInBatches(tenantId, group.slice(0, half));
    await applyInBatches(tenantId, group.slice(half));
  };
  // Workspaces side by side: each has its own transaction and connection, so one workspace's
  // messages do not wait for the others' commits before they reach the inbox (realtime latency).
  await eachAtMost(tenantsAtOnce, [...byTenant], ([tenantId, group]) => applyInBatches(tenantId, group));
  const templateAccounts = routed.flatMap(({ routed: target, change }) =>
    target.account && templateFields.has(change.field) ? [target.account] : [],
  );
  if (templateAccounts.length > 0) await hooks.templatesChanged?.(templateAccounts);

  const finished = [...outcome.keys()];
  if (finished.length > 0) {
    await pool.query(sql.unsafe`
      select app_public.finish_webhook_deliveries(
        ${sql.array(finished, 'uuid')},
        ${sql.array(finished.map((id) => outcome.get(id)?.join('; ').slice(0, 2000) || null) as string[], 'text')}
      )
    `);
  }
  mark('process.finished', { n: finished.length });
  return new Map([
    ...busy,
    ...[...retry].flatMap(([deliveryId, why]) => {
      const jobId = jobOf.get(deliveryId);
      return jobId ? [[jobId, why] as const] : [];
    }),
  ]);
}
