import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { signUpViaHttp } from '../test/accounts.ts';
import { buildTestApp } from '../test/app.ts';
import { databaseUrl, dropDatabase, dropRole, runtimeLoginRole } from '../test/database-urls.ts';
import { migrateDatabase } from './migrate.ts';

// A DATABASE_URL owner that is not a superuser, as managed PostgreSQL services hand out: it may
// create roles and bypass row-level security, and owns its database.
const { adminUrl } = inject('testDatabase');
const owner = `parley_owner_${randomBytes(4).toString('hex')}`;
const database = `${owner}_db`;
const ownerUrl = (() => {
  const url = new URL(databaseUrl(adminUrl, database));
  url.username = owner;
  url.password = 'owner password';
  return url.toString();
})();
const admin = new pg.Client({ connectionString: adminUrl });
const logger = createLogger('silent');

beforeAll(async () => {
  await admin.connect();
  await admin.query(`create role ${owner} login createrole bypassrls password 'owner password'`);
  await admin.query(`create database ${database} owner ${owner}`);
});
afterAll(async () => {
  const loginRole = await runtimeLoginRole(databaseUrl(adminUrl, database));
  await dropDatabase(admin, database);
  await dropRole(admin, loginRole);
  await dropRole(admin, owner);
  await admin.end();
});

describe('a DATABASE_URL owner that is not a superuser', () => {
  it('cannot create the schema, and is told exactly what to grant before anything is changed', async () => {
    const failure = migrateDatabase(ownerUrl, logger);
    await expect(failure).rejects.toThrow(new RegExp(`"${owner}".*superuser`));
    await expect(failure).rejects.toThrow(`ALTER ROLE "${owner}" SUPERUSER;`);
    await expect(failure).rejects.toThrow(
      `ALTER ROLE "${owner}" NOSUPERUSER CREATEROLE BYPASSRLS; GRANT parley_app TO "${owner}" WITH ADMIN OPTION;`,
    );
    const probe = new pg.Client({ connectionString: databaseUrl(adminUrl, database) });
    await probe.connect();
    try {
      const { rows } = await probe.query<{ n: number }>(
        `select count(*)::int as n from pg_namespace where nspname in ('app_public', 'app_private', 'graphile_migrate')`,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await probe.end();
    }
  });

  it(
    'runs Parley after one first migrate as a superuser, then demoted as the README says',
    { timeout: 120_000 },
    async () => {
      await admin.query(`alter role ${owner} superuser`);
      await migrateDatabase(ownerUrl, logger);
      // The README's steps: back to CREATEROLE + BYPASSRLS, with ADMIN OPTION on parley_app.
      await admin.query(`alter role ${owner} nosuperuser createrole bypassrls`);
      await admin.query(`grant parley_app to ${owner} with admin option`);

      await migrateDatabase(ownerUrl, logger); // every later start migrates as the demoted owner
      const app = await buildTestApp(ownerUrl);
      try {
        const member = await signUpViaHttp(app);
        expect(member.tenantId).not.toBe('');
      } finally {
        await app.close();
      }

      // Without BYPASSRLS the cross-workspace functions would see nothing: refused, with the fix.
      await admin.query(`alter role ${owner} nobypassrls`);
      await expect(migrateDatabase(ownerUrl, logger)).rejects.toThrow(
        `"${owner}" must be a superuser, or have BYPASSRLS and CREATEROLE`,
      );
      await admin.query(`alter role ${owner} bypassrls`);
    },
  );
});
