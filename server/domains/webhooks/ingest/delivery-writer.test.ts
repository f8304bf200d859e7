import { describe, expect, it } from 'vitest';
import { setupTestApp } from '../../../test/app.ts';
import { storeStatements } from './delivery-writer.ts';

const parley = setupTestApp({ workers: false });

describe('group commit statement', () => {
  it('stores a batch in one statement that does not NOTIFY, and wakes workers apart from it', async () => {
    // PostgreSQL serializes the commits of notifying transactions: a NOTIFY inside the store
    // statement would make concurrent batches commit one after another instead of together.
    const { store, wake } = await storeStatements(parley.app.services.boss);
    expect(store).toMatch(/insert into app_private\.webhook_deliveries/);
    expect(store).not.toMatch(/pg_notify/i);
    expect(wake).toMatch(/pg_notify/);
  });
});
