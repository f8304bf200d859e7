import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';

/** The role every runtime query runs as: no superuser, no BYPASSRLS, so row-level security applies. */
export const appRole = 'parley_app';

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
  const attributes = 'login nosuperuser nobypassrls nocreatedb nocreaterole noinherit noreplication';
  const exists = await client.query('select 1 from pg_roles where rolname = $1', [login.roleName]);
  if (exists.rowCount === 0) {
    // A new database, or one restored into another cluster: the recorded password is the truth.
    await client.query(`create role ${role} ${attributes} password ${client.escapeLiteral(login.password)}`);
  } else {
    await client.query(`alter role ${role} ${attributes}`);
  }
  await client.query(`grant ${client.escapeIdentifier(appRole)} to ${role}`);
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
