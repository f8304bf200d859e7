import { sql, type DatabasePoolConnection } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createLogger } from '../logger.ts';
import { createDatabase, setupTestDatabase } from '../test/db.ts';
import { migrateDatabase } from './migrate.ts';
import { createPools } from './pools.ts';

const db = setupTestDatabase();

const text = z.object({ value: z.string() });

/** Runs `statement` on one app connection and says how PostgreSQL answered. */
async function attempt(statement: ReturnType<typeof sql.unsafe>): Promise<string> {
  return db.pools.app.connect(async (connection: DatabasePoolConnection) => {
    try {
      await connection.query(statement);
      return 'allowed';
    } catch (error) {
      return /permission denied/.test(String(error)) ? 'permission denied' : String(error);
    }
  });
}

describe('the runtime login', () => {
  it('is not the owner, nor superuser, nor BYPASSRLS, and runs as parley_app', async () => {
    const owner = await db.pools.owner.oneFirst(sql.type(text)`select current_user as value`);
    const session = await db.pools.app.one(
      sql.type(
        z.object({
          login: z.string(),
          role: z.string(),
          rolsuper: z.boolean(),
          rolbypassrls: z.boolean(),
          memberOfOwner: z.boolean(),
        }),
      )`
        select session_user as login, current_user as role, r.rolsuper, r.rolbypassrls,
               pg_has_role(session_user, ${owner}, 'member') as "memberOfOwner"
          from pg_roles r where r.rolname = session_user
      `,
    );
    expect(session.login).not.toBe(owner);
    expect(session.login).toMatch(/^parley_app_login_[0-9a-f]{12}$/);
    expect(session).toMatchObject({
      role: 'parley_app',
      rolsuper: false,
      rolbypassrls: false,
      memberOfOwner: false,
    });
  });

  it('cannot become the owner or a superuser, whatever SQL it runs', async () => {
    const owner = await db.pools.owner.oneFirst(sql.type(text)`select current_user as value`);
    expect(await attempt(sql.unsafe`set role postgres`)).toBe('permission denied');
    expect(await attempt(sql.unsafe`set role ${sql.identifier([owner])}`)).toBe('permission denied');
    expect(await attempt(sql.unsafe`reset role; set role postgres`)).toBe('permission denied');
    expect(await attempt(sql.unsafe`set session authorization postgres`)).toBe('permission denied');
  });

  it('cannot read its own credentials', async () => {
    expect(await attempt(sql.unsafe`select password from app_private.runtime_login`)).toBe(
      'permission denied',
    );
  });

  it('keeps its password across migrations, so other processes’ pools keep connecting', async () => {
    const read = () =>
      db.pools.owner.one(
        sql.type(z.object({ role_name: z.string(), password: z.string() }))`
          select role_name, password from app_private.runtime_login
        `,
      );
    const before = await read();
    await migrateDatabase(db.url, createLogger('silent'));
    expect(await read()).toEqual(before);
    const again = await createPools(db.url, 1);
    try {
      expect(await again.app.oneFirst(sql.type(text)`select session_user as value`)).toBe(before.role_name);
    } finally {
      await again.end();
    }
  });
});

describe('migrate and the runtime login', () => {
  it(
    'puts back what drifted: superuser, BYPASSRLS, membership of the owner',
    { timeout: 60_000 },
    async () => {
      const empty = await createDatabase(false);
      try {
        await migrateDatabase(empty.url, createLogger('silent'));
        const pools = await createPools(empty.url, 1);
        try {
          const role = await pools.app.oneFirst(sql.type(text)`select session_user as value`);
          const owner = await pools.owner.oneFirst(sql.type(text)`select current_user as value`);
          await pools.owner.query(
            sql.unsafe`alter role ${sql.identifier([role])} superuser bypassrls inherit`,
          );
          await pools.owner.query(sql.unsafe`grant ${sql.identifier([owner])} to ${sql.identifier([role])}`);

          await migrateDatabase(empty.url, createLogger('silent'));

          const state = await pools.owner.one(
            sql.type(
              z.object({
                rolsuper: z.boolean(),
                rolbypassrls: z.boolean(),
                rolinherit: z.boolean(),
                memberOfOwner: z.boolean(),
              }),
            )`
            select rolsuper, rolbypassrls, rolinherit, pg_has_role(${role}, ${owner}, 'member') as "memberOfOwner"
              from pg_roles where rolname = ${role}
          `,
          );
          expect(state).toEqual({
            rolsuper: false,
            rolbypassrls: false,
            rolinherit: false,
            memberOfOwner: false,
          });
        } finally {
          await pools.end();
        }
      } finally {
        await empty.drop();
      }
    },
  );
});
