import pg from 'pg';

export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`drop database if exists "${name.replaceAll('"', '""')}" with (force)`);
}

/** The runtime login role a migrated database recorded (see server/db/runtime-login.ts), if any. */
export async function runtimeLoginRole(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ role_name: string }>(
      'select role_name from app_private.runtime_login',
    );
    return rows[0]?.role_name;
  } catch {
    return undefined; // not migrated
  } finally {
    await client.end();
  }
}

/** Roles are cluster-wide and outlive databases: drop a test database's login role with it. */
export async function dropRole(client: pg.Client, role: string | undefined): Promise<void> {
  if (role) await client.query(`drop role if exists ${client.escapeIdentifier(role)}`);
}
