import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../../test/app.ts';
import { setupTestDatabase } from '../../../test/db.ts';
import { storeStatements } from './delivery-writer.ts';

const db = setupTestDatabase();
let app: FastifyInstance;

beforeAll(async () => {
  app = await buildTestApp(db.url, { workers: false });
});
afterAll(async () => {
  await app.close();
});

describe('group commit statement', () => {
  it('stores a batch in one statement that does not NOTIFY, and wakes workers apart from it', async () => {
    // PostgreSQL serializes the commits of notifying transactions: a NOTIFY inside the store
    // statement would make concurrent batches commit one after another instead of together.
    const { store, wake } = await storeStatements(app.services.boss);
    expect(store).toMatch(/insert into app_private\.webhook_deliveries/);
    expect(store).not.toMatch(/pg_notify/i);
    expect(wake).toMatch(/pg_notify/);
  });
});
