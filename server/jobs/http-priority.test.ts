import { describe, expect, it } from 'vitest';
import { httpBusySignal, HttpPriority } from './http-priority.ts';

/** A unit of work that runs until released, recording how many ran at once. */
function gatedWork(record: { running: number; most: number }) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let started = false;
  return {
    get started() {
      return started;
    },
    release,
    work: async () => {
      started = true;
      record.running++;
      record.most = Math.max(record.most, record.running);
      await released;
      record.running--;
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('background work yields to a busy HTTP path', () => {
  it('runs up to max units at once while HTTP is quiet', async () => {
    const priority = new HttpPriority(() => false, { max: 2 });
    const record = { running: 0, most: 0 };
    const units = [gatedWork(record), gatedWork(record), gatedWork(record)];
    const runs = units.map((unit) => priority.run(unit.work));
    await settle();
    expect(units.map((unit) => unit.started)).toEqual([true, true, false]);
    units.forEach((unit) => unit.release());
    await Promise.all(runs);
    expect(record.most).toBe(2);
  });

  it('runs one unit at a time while HTTP is busy, the next when the first is done', async () => {
    const priority = new HttpPriority(() => true, { max: 2 });
    const record = { running: 0, most: 0 };
    const [first, second] = [gatedWork(record), gatedWork(record)];
    const runs = [priority.run(first.work), priority.run(second.work)];
    await settle();
    expect([first.started, second.started]).toEqual([true, false]);
    first.release();
    await runs[0];
    await settle();
    expect(second.started).toBe(true);
    second.release();
    await Promise.all(runs);
    expect(record.most).toBe(1);
  });

  it('lets waiting work in once HTTP is quiet again, without waiting for running work', async () => {
    let busy = true;
    const priority = new HttpPriority(() => busy, { max: 2, recheckMs: 5 });
    const record = { running: 0, most: 0 };
    const [first, second] = [gatedWork(record), gatedWork(record)];
    const runs = [priority.run(first.work), priority.run(second.work)];
    await settle();
    expect(second.started).toBe(false);
    busy = false;
    await expect.poll(() => second.started).toBe(true);
    expect(record.running).toBe(2);
    first.release();
    second.release();
    await Promise.all(runs);
  });

  it('lets waiting work in at once when told the signal may have cleared (no recheck timer on the path)', async () => {
    let busy = true;
    const priority = new HttpPriority(() => busy, { max: 2, recheckMs: 60_000 });
    const record = { running: 0, most: 0 };
    const [first, second] = [gatedWork(record), gatedWork(record)];
    const runs = [priority.run(first.work), priority.run(second.work)];
    await settle();
    expect(second.started).toBe(false);
    busy = false;
    priority.recheck(); // the webhook writer committed: the requests it held are answered
    await settle();
    expect(second.started).toBe(true);
    first.release();
    second.release();
    await Promise.all(runs);
  });

  it('passes a failure through and frees the slot', async () => {
    const priority = new HttpPriority(() => true, { max: 2 });
    await expect(priority.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(priority.running).toBe(0);
    await expect(priority.run(async () => 'next')).resolves.toBe('next');
  });

  it('calls HTTP busy when enough webhook requests wait for their commit', () => {
    let pending = 0;
    const signal = httpBusySignal(() => pending, { pendingRequests: 8 });
    try {
      expect(signal.busy()).toBe(false);
      pending = 7;
      expect(signal.busy()).toBe(false);
      pending = 8;
      expect(signal.busy()).toBe(true);
      pending = 0;
      expect(signal.busy()).toBe(false);
    } finally {
      signal.stop();
    }
  });
});
