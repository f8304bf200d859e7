import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';

const tableRow = z.object({
  table: z.string(),
  rls: z.boolean(),
  forced: z.boolean(),
  /** Commands (select/insert/update/delete) covered by a policy for parley_app on current_tenant_id(). */
  tenantPolicyCommands: z.array(z.string()),
  primaryKey: z.array(z.string()).nullable(),
  foreignKeysWithoutTenant: z.array(z.string()),
});

/**
 * Every problem with tenant isolation in the schema, as sentences; empty means sound. The rules
 * (DESIGN.md, Database): each app_public table has RLS enabled and forced, policies on
 * current_tenant_id() for every command, tenant_id leading its primary key and every foreign key to
 * another tenant table; parley_app holds no privilege at all in app_private.
 */
export async function findIsolationProblems(db: CommonQueryMethods): Promise<string[]> {
  const problems: string[] = [];
  const tables = await db.any(sql.type(tableRow)`
    select
      c.oid::regclass::text as "table",
      c.relrowsecurity as rls,
      c.relforcerowsecurity as forced,
      coalesce((
        select array_agg(distinct cmd order by cmd)
        from pg_policy p,
             lateral unnest(case p.polcmd when '*' then array['select','insert','update','delete']
                                          when 'r' then array['select'] when 'a' then array['insert']
                                          when 'w' then array['update'] when 'd' then array['delete'] end) as cmd
        where p.polrelid = c.oid
          and p.polpermissive
          and 'parley_app'::regrole::oid = any(p.polroles)
          and coalesce(pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
              like '%tenant_id = app_public.current_tenant_id()%'
      ), '{}') as "tenantPolicyCommands",
      (
        select array_agg(a.attname::text order by k.ord)
        from pg_constraint pk
        cross join lateral unnest(pk.conkey) with ordinality as k(attnum, ord)
        join pg_attribute a on a.attrelid = c.oid and a.attnum = k.attnum
        where pk.conrelid = c.oid and pk.contype = 'p'
      ) as "primaryKey",
      coalesce((
        select array_agg(fk.conname::text)
        from pg_constraint fk
        join pg_class target on target.oid = fk.confrelid
        join pg_namespace tn on tn.oid = target.relnamespace
        where fk.conrelid = c.oid and fk.contype = 'f' and tn.nspname = 'app_public'
          and (select attname from pg_attribute where attrelid = c.oid and attnum = fk.conkey[1]) <> 'tenant_id'
      ), '{}') as "foreignKeysWithoutTenant"
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'app_public' and c.relkind in ('r', 'p')
    order by 1
  `);
  for (const table of tables) {
    if (!table.rls) problems.push(`${table.table}: row-level security is not enabled`);
    if (!table.forced) problems.push(`${table.table}: row-level security is not forced`);
    const missing = ['delete', 'insert', 'select', 'update'].filter(
      (cmd) => !table.tenantPolicyCommands.includes(cmd),
    );
    if (missing.length) problems.push(`${table.table}: no tenant policy for ${missing.join(', ')}`);
    if (table.primaryKey?.[0] !== 'tenant_id')
      problems.push(`${table.table}: primary key does not start with tenant_id`);
    for (const fk of table.foreignKeysWithoutTenant) {
      problems.push(`${table.table}: foreign key ${fk} to a tenant table does not start with tenant_id`);
    }
  }

  const privileged = await db.anyFirst(sql.type(z.object({ name: z.string() }))`
    select c.oid::regclass::text as name
    from pg_class c join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'app_private' and c.relkind in ('r', 'p', 'v', 'm', 'S')
      and (has_table_privilege('parley_app', c.oid, 'select, insert, update, delete, truncate, references, trigger'))
    union all
    select 'schema app_private' where has_schema_privilege('parley_app', 'app_private', 'usage, create')
  `);
  for (const name of privileged) problems.push(`${name}: parley_app has privileges in app_private`);
  return problems;
}
