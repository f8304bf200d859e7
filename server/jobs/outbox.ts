import type { PgBoss } from 'pg-boss';
import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';
import type { Tx } from '../db/tx.ts';

export interface OutboxJob {
  name: string;
  data: object;
  singletonKey?: string;
}

/** pg-boss statements run on a slonik transaction (pg-boss speaks text + $n values). */
function bossExecutor(tx: DatabaseTransactionConnection) {
  return {
    async executeSql(text: string, values: unknown[] = []) {
      const parts = text.split(/\$(\d+)/);
      const strings = parts.filter((_, index) => index % 2 === 0);
      const ordered = parts.filter((_, index) => index % 2 === 1).map((n) => values[Number(n) - 1]);
      // Rebuilt as a genuine (frozen) template strings array: values still travel as bound parameters.
      const template = Object.freeze(
        Object.assign([...strings], { raw: Object.freeze([...strings]) }),
      ) as unknown as TemplateStringsArray;
      const result = await tx.query(sql.unsafe(template, ...(ordered as never[])));
      return { rows: [...result.rows] };
    },
  };
}

/**
 * The transactional outbox: tenant rows and the jobs that act on them commit together or not at all.
 * Tenant work runs as parley_app under row-level security (SET LOCAL ROLE in the owner's transaction);
 * the jobs are then inserted as the owner, who owns pg-boss's schema.
 */
export async function withTenantOutbox<T>(
  owner: DatabasePool,
  boss: PgBoss,
  scope: { tenantId: string; userId: string | null },
  fn: (tx: Tx) => Promise<{ result: T; jobs: OutboxJob[] }>,
): Promise<T> {
  return owner.transaction(async (tx) => {
    await tx.query(sql.unsafe`set local role parley_app`);
    await tx.query(sql.unsafe`
      select set_config('app.tenant_id', ${scope.tenantId}, true), set_config('app.user_id', ${scope.userId ?? ''}, true)
    `);
    const { result, jobs } = await fn(tx);
    await tx.query(sql.unsafe`reset role`);
    await tx.query(sql.unsafe`select set_config('app.tenant_id', '', true)`);
    for (const name of new Set(jobs.map((job) => job.name))) {
      const batch = jobs
        .filter((job) => job.name === name)
        .map(({ data, singletonKey }) => ({ data, ...(singletonKey ? { singletonKey } : {}) }));
      await boss.insert(name, batch, { db: bossExecutor(tx) });
    }
    return result;
  });
}
