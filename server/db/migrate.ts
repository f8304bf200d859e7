import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger as MigrateLogger, migrate } from 'graphile-migrate';
import graphileMigratePools from 'graphile-migrate/dist/pgReal.js';
import pg from 'pg';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import type { Logger } from '../logger.ts';
import { ensureRuntimeLogin } from './runtime-login.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
export const migrationsFolder = path.join(root, 'migrations');
const definitionsFolder = path.join(root, 'sql');
/** Applied in this order after every migrate: functions first, since policies and triggers call them. */
const definitionKinds = ['functions', 'policies', 'triggers'] as const;
/** Serializes concurrent migrators (several nodes starting at once). */
const migrateLockKey = 7_201_318_442;

export async function definitionFiles(): Promise<string[]> {
  const files: string[] = [];
  for (const kind of definitionKinds) {
    const dir = path.join(definitionsFolder, kind);
    const names = (await fs.readdir(dir).catch(() => [])).filter((name) => name.endsWith('.sql')).sort();
    files.push(...names.map((name) => path.join(dir, name)));
  }
  return files;
}

let definitions: Promise<{ text: string; hash: string }> | undefined;

/** sql/ as one script plus its hash; read once per process, since the files ship with the build. */
function readDefinitions(): Promise<{ text: string; hash: string }> {
  definitions ??= loadDefinitions();
  return definitions;
}

async function loadDefinitions(): Promise<{ text: string; hash: string }> {
  const parts: string[] = [];
  for (const file of await definitionFiles()) {
    parts.push(`-- ${path.relative(root, file)}\n${await fs.readFile(file, 'utf8')}`);
  }
  const text = parts.join('\n;\n');
  return { text, hash: createHash('sha256').update(text).digest('hex') };
}

async function committedMigrations(): Promise<string[]> {
  const names = await fs.readdir(path.join(migrationsFolder, 'committed')).catch(() => []);
  return names.filter((name) => name.endsWith('.sql')).sort();
}

function migrateLogger(logger: Logger): MigrateLogger {
  return new MigrateLogger(() => (level, message) => {
    const severity: string = level;
    if (severity === 'error') logger.error(message);
    else if (severity === 'warning') logger.warn(message);
    else logger.info({ component: 'graphile-migrate' }, message);
  });
}

/**
 * Brings the database to the committed schema, then re-applies every idempotent definition in sql/
 * (functions, policies, triggers) in one transaction, and records their hash for /readyz.
 */
export async function migrateDatabase(ownerUrl: string, logger: Logger): Promise<void> {
  const client = new pg.Client({ connectionString: ownerUrl, application_name: 'parley-migrate' });
  await client.connect();
  try {
    await assertOwnerPrivileges(client);
    await client.query('select pg_advisory_lock($1)', [migrateLockKey]);
    await migrate({
      connectionString: ownerUrl,
      migrationsFolder,
      logger: migrateLogger(logger),
    });
    // graphile-migrate keeps its pool alive briefly after use and exits the process if a connection of
    // that idle pool errors (e.g. the database restarts); release it now that we are done.
    graphileMigratePools.clearAllPools();
    const definitions = await readDefinitions();
    await client.query('begin');
    try {
      await client.query(definitions.text);
      await client.query(
        `insert into app_private.schema_definitions (singleton, hash, applied_at) values (true, $1, now())
         on conflict (singleton) do update set hash = excluded.hash, applied_at = excluded.applied_at`,
        [definitions.hash],
      );
      await ensureRuntimeLogin(client);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback');
      throw error;
    }
    logger.info({ definitions: definitions.hash.slice(0, 12) }, 'database schema is current');
  } finally {
    graphileMigratePools.clearAllPools(); // also when migrating failed (see above)
    await client.query('select pg_advisory_unlock_all()').catch(() => undefined);
    await client.end();
  }
}

/**
 * The migrating user owns the schema and its SECURITY DEFINER functions, which read across tenants
 * (login, invitations, routing webhooks): under FORCE ROW LEVEL SECURITY they would silently see
 * nothing unless it bypasses RLS. It creates the runtime's login role (CREATEROLE, and on PostgreSQL
 * 16+ ADMIN OPTION on parley_app to grant it). And migration 000001 sets parley_app's attributes
 * (ALTER ROLE … NOSUPERUSER NOBYPASSRLS), which PostgreSQL allows only to superusers, so a fresh
 * database needs a superuser once. Refuse to start with the exact fix, before changing anything.
 */
async function assertOwnerPrivileges(client: pg.Client): Promise<void> {
  const { rows } = await client.query<{
    name: string;
    superuser: boolean;
    bypassrls: boolean;
    createrole: boolean;
    migrated: boolean;
  }>(
    `select current_user as name, rolsuper as superuser, rolbypassrls as bypassrls,
       rolcreaterole as createrole, to_regclass('graphile_migrate.migrations') is not null as migrated
     from pg_roles where rolname = current_user`,
  );
  const owner = rows[0];
  if (!owner || owner.superuser) return;
  const name = client.escapeIdentifier(owner.name);
  const demote = `ALTER ROLE ${name} NOSUPERUSER CREATEROLE BYPASSRLS; GRANT parley_app TO ${name} WITH ADMIN OPTION;`;
  if (!owner.migrated) {
    throw new Error(
      `The DATABASE_URL user ${name} is not a superuser, and creating Parley's schema the first time needs one ` +
        `(migration 000001 sets the parley_app role's attributes, which PostgreSQL allows only to superusers). ` +
        `As a superuser run ALTER ROLE ${name} SUPERUSER; start Parley once (it migrates), then run: ${demote} ` +
        `Or use a superuser's DATABASE_URL.`,
    );
  }
  if (!owner.bypassrls || !owner.createrole) {
    throw new Error(
      `The DATABASE_URL user ${name} must be a superuser, or have BYPASSRLS and CREATEROLE: it owns Parley's schema ` +
        `and the functions that work across workspaces, and creates the runtime's login role. ` +
        `As a superuser run: ${demote}`,
    );
  }
}

export interface SchemaStatus {
  current: boolean;
  latestMigration: string | null;
  appliedMigration: string | null;
  definitionsCurrent: boolean;
}

/** Whether the connected database runs the schema this build expects (latest migration and sql/ definitions). */
export async function schemaStatus(owner: DatabasePool): Promise<SchemaStatus> {
  // graphile-migrate records only the number ("000001"); committed file names carry a slug after it.
  const number = (name: string | null | undefined) => name?.match(/^\d+/)?.[0] ?? null;
  const latestMigration = number((await committedMigrations()).at(-1));
  const row = await owner
    .maybeOne(
      sql.type(z.object({ applied: z.string().nullable(), hash: z.string().nullable() }))`
      select
        (select filename from graphile_migrate.migrations order by filename desc limit 1) as applied,
        (select hash from app_private.schema_definitions) as hash
    `,
    )
    .catch(() => null); // schema not created yet: not ready
  const appliedMigration = number(row?.applied);
  const definitionsCurrent = row?.hash === (await readDefinitions()).hash;
  return {
    current: appliedMigration === latestMigration && definitionsCurrent,
    latestMigration,
    appliedMigration,
    definitionsCurrent,
  };
}
