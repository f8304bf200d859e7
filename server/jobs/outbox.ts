import type { PgBoss } from 'pg-boss';
import { sql, type DatabasePool, type PrimitiveValueExpression, type QuerySqlToken } from 'slonik';
import { z } from 'zod';
import type { Tx } from '../db/tx.ts';
import { takeUnqueuedDeliveries } from '../domains/outboundWebhooks/queries.ts';

export interface OutboxJob {
  name: string;
  data: object;
  singletonKey?: string;
}

/** Jobs to insert with the transaction's tenant rows: they commit together or not at all. */
export interface Outbox {
  send(job: OutboxJob): void;
}

// pg-boss hands its `db` adapter finished SQL (text with $n placeholders) and the values to bind: that
// is exactly a slonik query token, so the statement runs on the transaction unchanged.
const unvalidatedQuery = sql.unsafe``;
const bossQuery = (text: string, values: readonly unknown[]): QuerySqlToken => ({
  ...unvalidatedQuery,
  sql: text,
  values: values as readonly PrimitiveValueExpression[],
});

/**
 * The transactional outbox: tenant rows and the jobs that act on them commit together or not at all.
 * Tenant work runs as parley_app under row-level security (SET LOCAL ROLE in the owner's transaction);
 * the jobs are then inserted as the owner, who owns pg-boss's schema (parley_app may not enqueue).
 */
export async function withTenantOutbox<T>(
  owner: DatabasePool,
  boss: PgBoss,
  scope: { tenantId: string; userId: string | null },
  fn: (tx: Tx, outbox: Outbox) => Promise<T>,
): Promise<T> {
  return owner.transaction(async (tx) => {
    await tx.query(sql.unsafe`set local role parley_app`);
    await tx.query(sql.unsafe`
      select set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.userId ?? ''}, true)
    `);
    const jobs: OutboxJob[] = [];
    const result = await fn(tx, { send: (job) => jobs.push(job) });
    await tx.query(sql.unsafe`reset role`);
    // Events of this transaction became outbound webhook deliveries (the flag is set by
    // sql/functions/95-outbound-webhooks.sql): their jobs commit with them.
    const { pending } = await tx.one(
      sql.type(z.object({ pending: z.boolean() }))`
        select set_config('app.tenant_id', '', true) = '' and
               coalesce(current_setting('app.webhook_deliveries_pending', true), '') = 'on' as pending`,
    );
    if (pending) {
      for (const { tenantId, deliveryId } of await tx.any(takeUnqueuedDeliveries(scope.tenantId))) {
        jobs.push({ name: 'webhook.deliver', data: { tenantId, deliveryId } });
      }
    }
    await insertJobs(tx, boss, jobs);
    return result;
  });
}

/** Inserts jobs with the statements of `tx` (pg-boss's `db` option), so they commit with it. */
export async function insertJobs(tx: Tx, boss: PgBoss, jobs: readonly OutboxJob[]): Promise<void> {
  const db = {
    executeSql: async (text: string, values: unknown[] = []) => ({
      rows: [...(await tx.query(bossQuery(text, values))).rows],
    }),
  };
  for (const name of new Set(jobs.map((job) => job.name))) {
    const batch = jobs
      .filter((job) => job.name === name)
      .map(({ data, singletonKey }) => ({ data, ...(singletonKey ? { singletonKey } : {}) }));
    await boss.insert(name, batch, { db });
  }
}

/** A tenant transaction with an outbox, for work that has no procedure context (jobs). */
export type TenantOutbox = <T>(tenantId: string, fn: (tx: Tx, outbox: Outbox) => Promise<T>) => Promise<T>;

/** withTenantOutbox on the owner's pool, without a user (webhook processing). */
export const tenantOutbox =
  (owner: DatabasePool, boss: PgBoss): TenantOutbox =>
  (tenantId, fn) =>
    withTenantOutbox(owner, boss, { tenantId, userId: null }, fn);
