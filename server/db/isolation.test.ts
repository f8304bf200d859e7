import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { addMember, createTenant, createUser } from '../test/factories.ts';
import { setupTestDatabase } from '../test/db.ts';
import { findIsolationProblems, platformReferencedTables, platformWideUniqueKeys } from '../test/rls-lint.ts';
import { withPlatform, withTenant } from './tx.ts';

const db = setupTestDatabase();

class Rollback extends Error {}

/** Runs DDL in the owner's transaction and rolls it back, so breaking the schema on purpose stays local. */
async function problemsAfter(ddl: ReturnType<typeof sql.unsafe>): Promise<string[]> {
  let problems: string[] = [];
  await db.pools.owner
    .transaction(async (tx) => {
      await tx.query(ddl);
      problems = await findIsolationProblems(tx);
      throw new Rollback();
    })
    .catch((error: unknown) => {
      if (!(error instanceof Rollback)) throw error;
    });
  return problems;
}

const membershipRow = z.object({ tenant_id: z.string(), user_id: z.string() });

describe('schema isolation lint', () => {
  it('finds every app_public table tenant-scoped and app_private closed to parley_app', async () => {
    expect(await findIsolationProblems(db.pools.owner)).toEqual([]);
  });

  it('fails when a tenant policy is dropped', async () => {
    expect(await problemsAfter(sql.unsafe`drop policy select_same_tenant on app_public.memberships`)).toEqual(
      ['app_public.memberships: no tenant policy for select'],
    );
  });

  it('fails when row-level security is disabled or not forced', async () => {
    expect(
      await problemsAfter(sql.unsafe`alter table app_public.memberships disable row level security`),
    ).toEqual(['app_public.memberships: row-level security is not enabled']);
    expect(
      await problemsAfter(sql.unsafe`alter table app_public.memberships no force row level security`),
    ).toEqual(['app_public.memberships: row-level security is not forced']);
  });

  it('fails on a new table without tenant_id leading its key and without policies', async () => {
    const problems = await problemsAfter(
      sql.unsafe`create table app_public.notes (id uuid primary key, tenant_id uuid not null)`,
    );
    expect(problems).toEqual([
      'app_public.notes: row-level security is not enabled',
      'app_public.notes: row-level security is not forced',
      'app_public.notes: no tenant policy for delete, insert, select, update',
      'app_public.notes: primary key does not start with tenant_id',
    ]);
  });

  it('allows only the listed platform-wide unique keys and references, each with its reason', async () => {
    const platformWide = await db.pools.owner.anyFirst(sql.type(z.object({ key: z.string() }))`
      select format('%s (%s)', x.indrelid::regclass, pg_get_indexdef(x.indexrelid, 1, true)) as key
      from pg_index x join pg_class t on t.oid = x.indrelid
      where t.relnamespace = 'app_public'::regnamespace and x.indisunique and not x.indisprimary
        and pg_get_indexdef(x.indexrelid, 1, true) <> 'tenant_id'
      order by 1
    `);
    expect(platformWide).toEqual(Object.keys(platformWideUniqueKeys).sort());
    for (const reason of [
      ...Object.values(platformWideUniqueKeys),
      ...Object.values(platformReferencedTables),
    ]) {
      expect(reason).toMatch(/Citus: /);
    }
  });

  it('fails on a new unique key that does not start with tenant_id, as a constraint or an index', async () => {
    expect(
      await problemsAfter(
        sql.unsafe`alter table app_public.messages add constraint messages_wamid_key unique (wamid)`,
      ),
    ).toEqual([
      'app_public.messages: unique key messages_wamid_key on app_public.messages (wamid) does not start with tenant_id (not in platformWideUniqueKeys)',
    ]);
    expect(
      await problemsAfter(
        sql.unsafe`create unique index contacts_lower_wa_id on app_public.contacts (lower(wa_id), tenant_id)`,
      ),
    ).toEqual([
      'app_public.contacts: unique key contacts_lower_wa_id on app_public.contacts (lower(wa_id), tenant_id) does not start with tenant_id (not in platformWideUniqueKeys)',
    ]);
    // Led by tenant_id: fine for a distributed PostgreSQL.
    expect(
      await problemsAfter(
        sql.unsafe`create unique index contacts_wa_id_again on app_public.contacts (tenant_id, wa_id)`,
      ),
    ).toEqual([]);
  });

  it('fails when a listed platform-wide key is dropped, so the list never outlives the schema', async () => {
    expect(
      await problemsAfter(sql.unsafe`alter table app_public.api_keys drop constraint api_keys_key_hash_key`),
    ).toEqual(['app_public.api_keys (key_hash): listed as platform-wide but no such key exists']);
  });

  it('fails on a new foreign key from a tenant table to an unlisted platform table', async () => {
    expect(
      await problemsAfter(sql.unsafe`
        alter table app_public.contacts add column plan_id text references app_private.plans (id)
      `),
    ).toEqual([
      'app_public.contacts: foreign key contacts_plan_id_fkey to platform table app_private.plans (not in platformReferencedTables)',
    ]);
  });

  it('fails when parley_app is granted anything in app_private', async () => {
    expect(await problemsAfter(sql.unsafe`grant select on app_private.users to parley_app`)).toEqual([
      'app_private.users: parley_app has privileges in app_private',
    ]);
  });
});

describe('the parley_app role', () => {
  it('is neither superuser nor BYPASSRLS, and cannot log in by itself', async () => {
    const role = await db.pools.owner.one(
      sql.type(
        z.object({ rolsuper: z.boolean(), rolbypassrls: z.boolean(), rolcanlogin: z.boolean() }),
      )`select rolsuper, rolbypassrls, rolcanlogin from pg_roles where rolname = 'parley_app'`,
    );
    expect(role).toEqual({ rolsuper: false, rolbypassrls: false, rolcanlogin: false });
  });

  it('is the role of every app session, even after RESET ROLE', async () => {
    const roles = await db.pools.app.connect(async (connection) => {
      const before = await connection.oneFirst(
        sql.type(z.object({ r: z.string() }))`select current_user as r`,
      );
      await connection.query(sql.unsafe`reset role`);
      const after = await connection.oneFirst(
        sql.type(z.object({ r: z.string() }))`select current_user as r`,
      );
      return [before, after];
    });
    expect(roles).toEqual(['parley_app', 'parley_app']);
  });
});

describe('tenant isolation through withTenant', () => {
  async function twoTenants() {
    const a = await createTenant(db.pools.owner);
    const b = await createTenant(db.pools.owner);
    const alice = await createUser(db.pools.owner);
    const bob = await createUser(db.pools.owner);
    await addMember(db.pools, a.id, alice.id, 'owner');
    await addMember(db.pools, b.id, bob.id, 'owner');
    return { a, b, alice, bob };
  }

  it('shows a tenant only its own rows, even when asked for the other tenant by id', async () => {
    const { a, b, alice } = await twoTenants();
    const own = await withTenant(db.pools.app, a.id, (tx) =>
      tx.any(sql.type(membershipRow)`select tenant_id, user_id from app_public.memberships`),
    );
    expect(own).toEqual([{ tenant_id: a.id, user_id: alice.id }]);
    const other = await withTenant(db.pools.app, a.id, (tx) =>
      tx.any(
        sql.type(
          membershipRow,
        )`select tenant_id, user_id from app_public.memberships where tenant_id = ${b.id}`,
      ),
    );
    expect(other).toEqual([]);
  });

  it('cannot change or delete another tenant’s rows', async () => {
    const { a, b, bob } = await twoTenants();
    const changed = await withTenant(db.pools.app, a.id, async (tx) => {
      const updated = await tx.query(
        sql.unsafe`update app_public.memberships set role = 'viewer' where tenant_id = ${b.id}`,
      );
      const deleted = await tx.query(
        sql.unsafe`delete from app_public.memberships where tenant_id = ${b.id}`,
      );
      return updated.rowCount + deleted.rowCount;
    });
    expect(changed).toBe(0);
    const role = await withTenant(db.pools.app, b.id, (tx) =>
      tx.oneFirst(
        sql.type(
          z.object({ role: z.string() }),
        )`select role from app_public.memberships where user_id = ${bob.id}`,
      ),
    );
    expect(role).toBe('owner');
  });

  it('refuses to insert a row for another tenant', async () => {
    const { a, b } = await twoTenants();
    const carol = await createUser(db.pools.owner);
    await expect(
      withTenant(db.pools.app, a.id, (tx) =>
        tx.query(
          sql.unsafe`insert into app_public.memberships (tenant_id, user_id, role) values (${b.id}, ${carol.id}, 'admin')`,
        ),
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('shows nothing at all when no tenant is in scope', async () => {
    await twoTenants();
    const rows = await withPlatform(db.pools.app, (tx) =>
      tx.any(sql.type(membershipRow)`select tenant_id, user_id from app_public.memberships`),
    );
    expect(rows).toEqual([]);
    const outsideTransaction = await db.pools.app.any(
      sql.type(membershipRow)`select tenant_id, user_id from app_public.memberships`,
    );
    expect(outsideTransaction).toEqual([]);
  });

  it('keeps platform tables out of reach, except through the functions meant for it', async () => {
    const { a } = await twoTenants();
    await expect(
      withTenant(db.pools.app, a.id, (tx) => tx.any(sql.unsafe`select id from app_private.tenants`)),
    ).rejects.toThrow(/permission denied/);
    const current = await withTenant(db.pools.app, a.id, (tx) =>
      tx.any(
        sql.type(
          z.object({ id: z.string(), slug: z.string() }),
        )`select id, slug from app_public.current_tenant()`,
      ),
    );
    expect(current).toEqual([{ id: a.id, slug: a.slug }]);
  });

  it('does not carry the tenant scope over to the next transaction on the same connection', async () => {
    const { a } = await twoTenants();
    await withTenant(db.pools.app, a.id, async () => {});
    const scope = await db.pools.app.oneFirst(
      sql.type(z.object({ t: z.string().nullable() }))`select app_public.current_tenant_id()::text as t`,
    );
    expect(scope).toBeNull();
  });
});
