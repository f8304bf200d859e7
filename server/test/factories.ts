import { randomBytes } from 'node:crypto';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Pools } from '../db/pools.ts';
import { withTenant } from '../db/tx.ts';
import type { Role } from '../domains/members/roles.ts';

const idRow = z.object({ id: z.string().uuid() });

function unique(): string {
  return randomBytes(4).toString('hex');
}

/** Platform rows are written with the owner pool, as the sign-up functions will. */
export async function createTenant(owner: DatabasePool, overrides: { name?: string; slug?: string } = {}) {
  const suffix = unique();
  const name = overrides.name ?? `Tenant ${suffix}`;
  const slug = overrides.slug ?? `tenant-${suffix}`;
  const { id } = await owner.one(
    sql.type(idRow)`insert into app_private.tenants (name, slug) values (${name}, ${slug}) returning id`,
  );
  return { id, name, slug };
}

export async function createUser(
  owner: DatabasePool,
  overrides: { email?: string; displayName?: string; isPlatformAdmin?: boolean } = {},
) {
  const suffix = unique();
  const email = overrides.email ?? `user-${suffix}@example.test`;
  const displayName = overrides.displayName ?? `User ${suffix}`;
  const { id } = await owner.one(
    sql.type(idRow)`
      insert into app_private.users (email, display_name, is_platform_admin)
      values (${email}, ${displayName}, ${overrides.isPlatformAdmin ?? false})
      returning id
    `,
  );
  return { id, email, displayName };
}

/** Tenant rows go through parley_app under the tenant's scope, exactly as the product writes them. */
export async function addMember(pools: Pools, tenantId: string, userId: string, role: Role = 'agent') {
  await withTenant(pools.app, tenantId, (tx) =>
    tx.query(sql.unsafe`
      insert into app_public.memberships (tenant_id, user_id, role) values (${tenantId}, ${userId}, ${role})
    `),
  );
}
