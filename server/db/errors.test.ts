import fs from 'node:fs';
import path from 'node:path';
import {
  CheckIntegrityConstraintViolationError,
  ForeignKeyIntegrityConstraintViolationError,
  sql,
  UniqueIntegrityConstraintViolationError,
} from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setupTestDatabase } from '../test/db.ts';
import { customCodes, toTRPCError } from './errors.ts';

const db = setupTestDatabase();

const constraintRow = z.object({ name: z.string(), kind: z.enum(['u', 'p', 'c', 'f']), table: z.string() });

/** A driver error as PostgreSQL reports a violated constraint (no detail, as for check constraints). */
const violation = (name: string, table: string) =>
  Object.assign(new Error('violates constraint'), { constraint: name, table });

describe('database errors reaching users', () => {
  it('name no constraint, for every constraint and unique index in the schema', async () => {
    const constraints = await db.pools.owner.any(sql.type(constraintRow)`
      select c.conname as name, c.contype::text as kind, t.relname as "table"
      from pg_constraint c join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace
      where n.nspname in ('app_public', 'app_private') and c.contype in ('u', 'p', 'c', 'f')
      union all
      select i.relname, 'u', t.relname
      from pg_index x join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid
      join pg_namespace n on n.oid = t.relnamespace
      where n.nspname in ('app_public', 'app_private') and x.indisunique
        and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid)
    `);
    expect(constraints.length).toBeGreaterThan(20);
    for (const { name, kind, table } of constraints) {
      const cause = violation(name, table);
      const error =
        kind === 'c'
          ? new CheckIntegrityConstraintViolationError(cause)
          : kind === 'f'
            ? new ForeignKeyIntegrityConstraintViolationError(cause)
            : new UniqueIntegrityConstraintViolationError(cause);
      const message = toTRPCError(error)?.message ?? '';
      expect(message, name).toMatch(/^[A-Z].*\.$/);
      expect(message, name).not.toContain(name);
      expect(message, name).not.toMatch(/_/);
    }
  });

  it('say what to fix for the ones people meet', () => {
    const said = (name: string, table: string) =>
      toTRPCError(new UniqueIntegrityConstraintViolationError(violation(name, table)))?.message;
    expect(said('channels_waba_id_key', 'channels')).toBe(
      'This WhatsApp Business Account is already connected to a workspace.',
    );
    expect(said('users_email_key', 'users')).toBe('An account with this email already exists.');
  });

  it('turn text PostgreSQL cannot store (SQLSTATE 22021, 22P05) into a 400 that says so', async () => {
    for (const statement of [
      sql.unsafe`select convert_from('\\x00'::bytea, 'UTF8')`,
      sql.unsafe`select '"\\u0000"'::jsonb::text`,
    ]) {
      const error = await db.pools.app.query(statement).then(
        () => null,
        (failure: unknown) => failure,
      );
      const mapped = toTRPCError(error);
      expect(mapped?.code).toBe('BAD_REQUEST');
      expect(mapped?.message).toMatch(/cannot be stored/);
    }
  });
});

describe('custom error codes', () => {
  it('sql/README.md lists exactly the codes db/errors.ts maps, with the same tRPC codes, and the SQL raises no other', () => {
    const sqlDir = path.join(import.meta.dirname, '../../sql');
    const readme = fs.readFileSync(path.join(sqlDir, 'README.md'), 'utf8');
    const listed = Object.fromEntries(
      [...readme.matchAll(/^\| (PY\d{3}) \|[^|]*\| (\w+)\s*\|$/gm)].map((match) => [match[1], match[2]]),
    );
    expect(listed).toEqual(customCodes);
    const raised = new Set(
      fs
        .readdirSync(path.join(sqlDir, 'functions'))
        .flatMap((file) => [
          ...fs.readFileSync(path.join(sqlDir, 'functions', file), 'utf8').matchAll(/'(PY\d{3})'/g),
        ])
        .map((match) => match[1]),
    );
    expect([...raised].filter((code) => code && !(code in customCodes))).toEqual([]);
  });
});
