import { sql, type DatabasePool, type DatabaseTransactionConnection } from 'slonik';

export type Tx = DatabaseTransactionConnection;

/** Runs `fn` in one transaction whose scope the caller already chose (ctx.withTenant, ctx.withPlatform). */
export type InTransaction = <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>;

export interface Scope {
  /** Sets app.user_id for audit columns and user-aware policies. */
  userId?: string | null;
}

/**
 * Runs `fn` in one transaction whose row-level security scope is `tenantId`. The settings are
 * transaction-local (set_config(…, true)), so they vanish at commit and never leak to the next checkout.
 */
export async function withTenant<T>(
  pool: DatabasePool,
  tenantId: string,
  fn: (tx: Tx) => Promise<T>,
  scope: Scope = {},
): Promise<T> {
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      select set_config('app.tenant_id', ${tenantId}, true),
             set_config('app.user_id', ${scope.userId ?? ''}, true)
    `);
    return fn(tx);
  });
}

/**
 * A transaction with no tenant in scope: tenant tables show no rows, and platform data is reached only
 * through the SECURITY DEFINER functions the schema exposes (sign-up, login, admin).
 */
export async function withPlatform<T>(
  pool: DatabasePool,
  fn: (tx: Tx) => Promise<T>,
  scope: Scope = {},
): Promise<T> {
  return pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      select set_config('app.tenant_id', '', true),
             set_config('app.user_id', ${scope.userId ?? ''}, true)
    `);
    return fn(tx);
  });
}
