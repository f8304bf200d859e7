import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { setupTestApp } from '../../../test/app.ts';
import { DeliveryWriter, storeStatements } from './delivery-writer.ts';

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

describe('group commit writer', () => {
  it('counts the deliveries waiting for their commit (the HTTP path’s busy signal)', async () => {
    const pool = new pg.Pool({ connectionString: parley.db.url, max: 2 });
    try {
      const writer = new DeliveryWriter(pool, parley.app.services.boss);
      const body = Buffer.from('{"object": "whatsapp_business_account", "entry": []}');
      const stores = Array.from({ length: 20 }, () =>
        writer.store({ appKey: 'unknownunknownunknown1', body, parsed: true }),
      );
      expect(writer.pending).toBe(20);
      await Promise.all(stores);
      expect(writer.pending).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('wakes the workers at most once per interval however many batches commit', async () => {
    const pool = new pg.Pool({ connectionString: parley.db.url, max: 2 });
    const wakes: string[] = [];
    const query = pool.query.bind(pool) as (config: { name?: string }) => Promise<unknown>;
    (pool as unknown as { query: typeof query }).query = (config) => {
      if (config.name === 'parley-wake-webhook-workers') wakes.push(config.name);
      return query(config);
    };
    try {
      const writer = new DeliveryWriter(pool, parley.app.services.boss, {
        maxBatch: 1,
        maxInFlight: 1,
        wakeIntervalMs: 60_000,
      });
      const body = Buffer.from('{"object": "whatsapp_business_account", "entry": []}');
      // Ten batches of one, each committed before the next: one wake-up now, the rest wait for the interval.
      for (let i = 0; i < 10; i++)
        await writer.store({ appKey: 'unknownunknownunknown1', body, parsed: true });
      expect(wakes).toHaveLength(1);
      await writer.drain();
    } finally {
      await pool.end();
    }
  });

  it("starts this node's webhook.process workers at the commit, without NOTIFY or its interval", async () => {
    const { boss } = parley.app.services;
    const pool = new pg.Pool({ connectionString: parley.db.url, max: 2 });
    // The wake-up NOTIFY is swallowed: only the direct call can start the worker before its poll (2 s).
    const query = pool.query.bind(pool) as (config: { name?: string }) => Promise<unknown>;
    (pool as unknown as { query: typeof query }).query = (config) =>
      config.name === 'parley-wake-webhook-workers' ? Promise.resolve({ rows: [] }) : query(config);
    const fetched: number[] = [];
    const polling = { pollingIntervalSeconds: 30, notifyPollingIntervalSeconds: 30 };
    const worker = await boss.work('webhook.process', polling, async () => {
      fetched.push(performance.now());
    });
    try {
      // Let the worker's first (empty) fetch pass: it now waits 30 s unless woken.
      await new Promise((resolve) => setTimeout(resolve, 300));
      const writer = new DeliveryWriter(pool, boss, { wakeIntervalMs: 60_000 });
      const body = Buffer.from('{"object": "whatsapp_business_account", "entry": []}');
      await writer.store({ appKey: 'unknownunknownunknown1', body, parsed: true });
      // Well before the 30 s poll: woken by the commit itself.
      await expect.poll(() => fetched.length, { timeout: 5_000 }).toBe(1);
      await writer.drain();
    } finally {
      await boss.offWork('webhook.process', { id: worker });
      await pool.end();
    }
  });
});
