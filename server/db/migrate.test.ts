import { sql } from 'slonik';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logger.ts';
import { createDatabase } from '../test/db.ts';
import { findIsolationProblems } from '../test/rls-lint.ts';
import { migrateDatabase, schemaStatus } from './migrate.ts';
import { createParleyPool, type Pools } from './pools.ts';

const logger = createLogger('silent');

describe('migrations', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  /** An empty database and an owner pool on it (the app pool needs a migrated database). */
  async function emptyDatabase(): Promise<{ url: string; pools: Pick<Pools, 'owner'> }> {
    const database = await createDatabase(false);
    const owner = await createParleyPool(database.url, { maxPoolSize: 2, applicationName: 'parley-test' });
    cleanups.push(database.drop, () => owner.end());
    return { url: database.url, pools: { owner } };
  }

  const objectCounts = z.object({ policies: z.number(), functions: z.number(), triggers: z.number() });
  const countObjects = (pools: Pick<Pools, 'owner'>) =>
    pools.owner.one(sql.type(objectCounts)`
      select
        (select count(*) from pg_policies where schemaname in ('app_public', 'app_private'))::int as policies,
        (select count(*) from pg_proc p join pg_namespace n on n.oid = p.pronamespace
          where n.nspname in ('app_public', 'app_private'))::int as functions,
        (select count(*) from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
          where n.nspname in ('app_public', 'app_private') and not t.tgisinternal)::int as triggers
    `);

  it('bring an empty database to the current schema, isolation rules included', async () => {
    const { url, pools } = await emptyDatabase();
    expect((await schemaStatus(pools.owner)).current).toBe(false);

    await migrateDatabase(url, logger);

    expect(await schemaStatus(pools.owner)).toMatchObject({ current: true, definitionsCurrent: true });
    expect(await findIsolationProblems(pools.owner)).toEqual([]);
  });

  it('re-apply sql/ definitions idempotently: running again changes nothing', async () => {
    const { url, pools } = await emptyDatabase();
    await migrateDatabase(url, logger);
    const first = await countObjects(pools);

    await migrateDatabase(url, logger);
    await migrateDatabase(url, logger);

    expect(await countObjects(pools)).toEqual(first);
    expect(first.policies).toBeGreaterThan(0);
    expect((await schemaStatus(pools.owner)).current).toBe(true);
  });

  it('serialise concurrent migrators (several nodes starting at once)', async () => {
    const { url, pools } = await emptyDatabase();
    await Promise.all([
      migrateDatabase(url, logger),
      migrateDatabase(url, logger),
      migrateDatabase(url, logger),
    ]);
    expect((await schemaStatus(pools.owner)).current).toBe(true);
  });

  it('refuse, saying how to fix it, when a fresh database has an owner that is not a superuser', async () => {
    const { url, pools } = await emptyDatabase();
    const role = `parley_weak_owner_${process.pid}`;
    await pools.owner.query(sql.unsafe`drop role if exists ${sql.identifier([role])}`);
    await pools.owner.query(
      sql.unsafe`create role ${sql.identifier([role])} login password 'weak-owner-password' nobypassrls`,
    );
    cleanups.push(
      async () => void (await pools.owner.query(sql.unsafe`drop role if exists ${sql.identifier([role])}`)),
    );
    const weak = new URL(url);
    weak.username = role;
    weak.password = 'weak-owner-password';
    await expect(migrateDatabase(weak.toString(), logger)).rejects.toThrow(`ALTER ROLE "${role}" SUPERUSER`);
  });

  it('report drifted definitions as not current', async () => {
    const { url, pools } = await emptyDatabase();
    await migrateDatabase(url, logger);
    await pools.owner.query(sql.unsafe`update app_private.schema_definitions set hash = 'stale'`);
    expect(await schemaStatus(pools.owner)).toMatchObject({ current: false, definitionsCurrent: false });
  });
});
