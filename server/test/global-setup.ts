import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { migrateDatabase } from '../db/migrate.ts';
import { createLogger } from '../logger.ts';
import { startTestDatabaseServer } from './database-server.ts';
import { databaseUrl, dropDatabase, dropRole, runtimeLoginRole } from './database-urls.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    testDatabase: { adminUrl: string; template: string; prefix: string; kind: string };
  }
}

/**
 * Once per run: pick a PostgreSQL server, migrate a template database, and let each test file clone it
 * (CREATE DATABASE … TEMPLATE), which takes milliseconds instead of a full migrate per file.
 */
export default async function setup(project: TestProject) {
  const server = await startTestDatabaseServer();
  const prefix = `parley_test_${randomBytes(4).toString('hex')}`;
  const template = `${prefix}_template`;
  const admin = new pg.Client({ connectionString: server.adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${template}`);
    await migrateDatabase(databaseUrl(server.adminUrl, template), createLogger('warn'));
    const version = await admin.query<{ server_version: string }>('show server_version');
    process.stdout.write(`test database: ${server.kind} PostgreSQL ${version.rows[0]?.server_version}\n`);
  } finally {
    await admin.end();
  }
  project.provide('testDatabase', { adminUrl: server.adminUrl, template, prefix, kind: server.kind });

  return async () => {
    const templateRole = await runtimeLoginRole(databaseUrl(server.adminUrl, template)).catch(
      () => undefined,
    );
    const client = new pg.Client({ connectionString: server.adminUrl });
    await client.connect();
    try {
      const leftovers = await client.query<{ datname: string }>(
        'select datname from pg_database where datname like $1',
        [`${prefix}%`],
      );
      for (const { datname } of leftovers.rows) await dropDatabase(client, datname);
      await dropRole(client, templateRole);
    } finally {
      await client.end();
    }
    await server.stop();
  };
}
