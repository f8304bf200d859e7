import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { setupTestDatabase } from '../../test/db.ts';
import { takeToken } from './throttle.ts';

const db = setupTestDatabase();

describe('take_tokens (SQL token bucket)', () => {
  it('grants exactly `burst` of 50 concurrent callers on separate connections', async () => {
    const rule = { rate: 0.001, burst: 10 };
    const results = await Promise.all(
      Array.from({ length: 50 }, () => takeToken(db.pools.app, 'concurrency', rule)),
    );
    expect(results.filter(Boolean)).toHaveLength(10);
  });

  it('refills at `rate` tokens per second, never above `burst`', async () => {
    const rule = { rate: 20, burst: 2 }; // one token every 50 ms
    expect(await takeToken(db.pools.app, 'refill', rule)).toBe(true);
    expect(await takeToken(db.pools.app, 'refill', rule)).toBe(true);
    expect(await takeToken(db.pools.app, 'refill', rule)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(await takeToken(db.pools.app, 'refill', rule)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 500)); // would be 10 tokens without the cap
    const burst = await Promise.all(Array.from({ length: 4 }, () => takeToken(db.pools.app, 'refill', rule)));
    expect(burst.filter(Boolean)).toHaveLength(2);
  });

  it('keeps buckets apart by key', async () => {
    const rule = { rate: 0.001, burst: 1 };
    expect(await takeToken(db.pools.app, 'key-a', rule)).toBe(true);
    expect(await takeToken(db.pools.app, 'key-a', rule)).toBe(false);
    expect(await takeToken(db.pools.app, 'key-b', rule)).toBe(true);
  });

  it('charges a cost larger than one, and refuses a cost above the burst outright', async () => {
    const take = (cost: number) =>
      db.pools.app.oneFirst(
        sql.type(z.object({ t: z.boolean() }))`select app_public.take_tokens('cost', 0.001, 5, ${cost}) as t`,
      );
    expect(await take(3)).toBe(true);
    expect(await take(3)).toBe(false);
    expect(await take(2)).toBe(true);
    expect(await take(6)).toBe(false);
  });

  it('rejects nonsense parameters', async () => {
    await expect(
      db.pools.app.query(sql.unsafe`select app_public.take_tokens('bad', 0, 5, 1)`),
    ).rejects.toThrow(/positive/);
  });
});
