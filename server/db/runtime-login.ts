import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** The role every runtime query runs as: no superuser, no BYPASSRLS, so row-level security applies. */
export const appRole = 'parley_app';

/** Conditions on pg_roles that would be wrong for the login role, each with its fix. */
const wrongAttributes: readonly (readonly [condition: string, fix: string])[] = [
  ['rolsuper', 'nosuperuser'],
  ['rolbypassrls', 'nobypassrls'],
  ['rolreplication', 'noreplication'],
  ['rolcreaterole', 'nocreaterole'],
  ['rolcreatedb', 'nocreatedb'],
  ['rolinherit', 'noinherit'],
  ['not rolcanlogin', 'login'],
];

export interface RuntimeLogin {
  roleName: string;
  password: string;
}

/**
 * Makes sure this database has its runtime LOGIN role: NOINHERIT, no superuser, no BYPASSRLS, member
 * of parley_app only, so a session that logs in with it can be parley_app (its startup role) and
 * nothing else; SET ROLE to the owner is refused. Roles are cluster-wide while databases share a
 * cluster, so the name is unique per database (recorded in app_private.runtime_login) and the password
 * is generated once and never rotated by a migrate: another process's pool keeps connecting.
 * Runs as the owner, inside migrate's advisory lock.
 */
export async function ensureRuntimeLogin(client: pg.Client): Promise<RuntimeLogin> {
  const { rows } = await client.query<{ role_name: string; password: string }>(
    'select role_name, password from app_private.runtime_login',
  );
  let login: RuntimeLogin;
  if (rows[0]) {
    login = { roleName: rows[0].role_name, password: rows[0].password };
  } else {
    login = {
      roleName: `parley_app_login_${randomBytes(6).toString('hex')}`,
      password: randomBytes(32).toString('base64url'),
    };
    await client.query('insert into app_private.runtime_login (role_name, password) values ($1, $2)', [
      login.roleName,
      login.password,
    ]);
  }
  const role = client.escapeIdentifier(login.roleName);
  const found = await client.query<{ wrong: boolean[] }>(
    `select array[${wrongAttributes.map(([condition]) => condition).join(', ')}] as wrong from pg_roles where rolname = $1`,
    [login.roleName],
  );
  const current = found.rows[0];
  if (!current) {
    // A new database, or one restored into another cluster: the recorded password is the truth.
    await client.query(
      `create role ${role} ${wrongAttributes.map(([, fix]) => fix).join(' ')} password ${client.escapeLiteral(login.password)}`,
    );
  } else {
    // Only what drifted: a non-superuser owner may not even name some attributes in ALTER ROLE.
    const fixes = wrongAttributes.filter((_, index) => current.wrong[index]).map(([, fix]) => fix);
    if (fixes.length > 0) await client.query(`alter role ${role} ${fixes.join(' ')}`);
  }
  const memberships = await client.query<{ name: string }>(
    `select granted.rolname as name from pg_auth_members m
       join pg_roles granted on granted.oid = m.roleid
       join pg_roles member on member.oid = m.member
      where member.rolname = $1`,
    [login.roleName],
  );
  for (const { name } of memberships.rows) {
    if (name !== appRole) await client.query(`revoke ${client.escapeIdentifier(name)} from ${role}`);
  }
  if (!memberships.rows.some(({ name }) => name === appRole)) {
    await client.query(`grant ${client.escapeIdentifier(appRole)} to ${role}`);
  }
  return login;
}

/** The runtime login of a migrated database, read with the owner's pool. */
export async function readRuntimeLogin(owner: DatabasePool): Promise<RuntimeLogin> {
  const migrated = await owner.oneFirst(
    sql.type(z.object({ migrated: z.boolean() }))`
      select to_regclass('app_private.runtime_login') is not null as migrated
    `,
  );
  const login = migrated
    ? await owner.maybeOne(
        sql.type(z.object({ roleName: z.string(), password: z.string() }))`
          select role_name as "roleName", password from app_private.runtime_login
        `,
      )
    : null;
  if (!login) {
    throw new Error(
      'The database has no Parley runtime login yet: run `npm run migrate` (or start with `all`) first.',
    );
  }
  return login;
}

/**
 * The app pool's connection string: the runtime login role, starting each session as parley_app
 * (startup option), so RESET ROLE returns to parley_app, and SET ROLE reaches nothing else.
 */
export function runtimeUrl(ownerUrl: string, login: RuntimeLogin): string {
  const url = new URL(ownerUrl);
  url.username = encodeURIComponent(login.roleName);
  url.password = encodeURIComponent(login.password);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', [existing, `-c role=${appRole}`].filter(Boolean).join(' '));
  return url.toString();
}
