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
  /** Unique constraints and indexes (not the primary key) whose first column is not tenant_id, as "table (columns)". */
  uniqueKeysWithoutTenant: z.array(z.object({ name: z.string(), key: z.string() })),
  /** Platform (non-app_public) tables referenced by a foreign key. */
  platformTablesReferenced: z.array(z.object({ name: z.string(), target: z.string() })),
});

/**
 * Unique keys of tenant tables that deliberately do not lead with tenant_id, by "table (columns)":
 * identities Meta or a credential gives platform-wide, looked up before any tenant is known, where
 * uniqueness must hold across workspaces (a WABA belongs to one workspace on the whole platform).
 * A distributed PostgreSQL (Citus, distribution column tenant_id) enforces only unique keys that
 * contain the distribution column, so each entry says how it would move when Parley is distributed.
 * Add to this list only with such a reason; every other unique key must start with tenant_id.
 */
export const platformWideUniqueKeys: Record<string, string> = {
  'app_public.channels (app_key)':
    "The key in a channel's webhook URL, which routes Meta's POST before any tenant is known. Citus: a lookup table (app_key → tenant_id, channel_id), kept as a reference table, replaces the unique index.",
  'app_public.channels (waba_id)':
    'A WhatsApp Business Account is connected to one workspace platform-wide; webhooks are routed by it. Citus: a lookup table (waba_id → tenant_id, channel_id) as a reference table holds the uniqueness.',
  'app_public.phone_numbers (phone_number_id)':
    'A Meta phone number id belongs to one workspace platform-wide; webhooks are routed by it. Citus: a lookup table (phone_number_id → tenant_id, phone number) as a reference table.',
  'app_public.api_keys (key_hash)':
    'An API key is presented without a tenant, and its hash finds the tenant. Citus: a lookup table (key_hash → tenant_id, api key id) as a reference table.',
  'app_public.invitations (token_hash)':
    'An invitation link is opened without a tenant, and its hash finds the workspace. Citus: a lookup table (token_hash → tenant_id, invitation id) as a reference table.',
};

/**
 * Platform tables (app_private) that tenant tables may reference by a foreign key, and how that maps
 * to Citus, where a distributed table may reference only a reference table (or a table colocated by
 * tenant_id). A new one needs a decision here first.
 */
export const platformReferencedTables: Record<string, string> = {
  'app_private.tenants': 'Small and read everywhere. Citus: a reference table (every node has a copy).',
  'app_private.users': 'Accounts span workspaces (members, authors, assignees). Citus: a reference table.',
};

/**
 * Every problem with tenant isolation in the schema, as sentences; empty means sound. The rules
 * (DESIGN.md, Database): each app_public table has RLS enabled and forced, policies on
 * current_tenant_id() for every command, tenant_id leading its primary key, every unique key and
 * every foreign key to another tenant table (save the listed platform-wide keys and references,
 * which a distributed PostgreSQL needs too); parley_app holds no privilege at all in app_private.
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
      ), '{}') as "foreignKeysWithoutTenant",
      coalesce((
        select json_agg(json_build_object(
          'name', i.relname,
          'key', format('%s (%s)', c.oid::regclass, (
            select string_agg(pg_get_indexdef(x.indexrelid, k, true), ', ' order by k)
            from generate_series(1, x.indnkeyatts) as k
          ))
        ) order by i.relname)
        from pg_index x join pg_class i on i.oid = x.indexrelid
        where x.indrelid = c.oid and x.indisunique and not x.indisprimary
          and pg_get_indexdef(x.indexrelid, 1, true) <> 'tenant_id'
      ), '[]') as "uniqueKeysWithoutTenant",
      coalesce((
        select json_agg(json_build_object('name', fk.conname, 'target', fk.confrelid::regclass::text)
                        order by fk.conname)
        from pg_constraint fk
        join pg_class target on target.oid = fk.confrelid
        join pg_namespace tn on tn.oid = target.relnamespace
        where fk.conrelid = c.oid and fk.contype = 'f' and tn.nspname <> 'app_public'
      ), '[]') as "platformTablesReferenced"
    from pg_class c
    join pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'app_public' and c.relkind in ('r', 'p')
    order by 1
  `);
  const seen = new Set<string>();
  for (const table of tables) {
    for (const { key } of table.uniqueKeysWithoutTenant) seen.add(key);
    for (const { target } of table.platformTablesReferenced) seen.add(target);
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
    for (const unique of table.uniqueKeysWithoutTenant) {
      if (!(unique.key in platformWideUniqueKeys)) {
        problems.push(
          `${table.table}: unique key ${unique.name} on ${unique.key} does not start with tenant_id (not in platformWideUniqueKeys)`,
        );
      }
    }
    for (const fk of table.platformTablesReferenced) {
      if (!(fk.target in platformReferencedTables)) {
        problems.push(
          `${table.table}: foreign key ${fk.name} to platform table ${fk.target} (not in platformReferencedTables)`,
        );
      }
    }
  }

  // An entry nothing matches any more would let a later key of that shape through unexamined.
  for (const entry of [...Object.keys(platformWideUniqueKeys), ...Object.keys(platformReferencedTables)]) {
    if (!seen.has(entry)) problems.push(`${entry}: listed as platform-wide but no such key exists`);
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
