import type { PgBoss } from 'pg-boss';
import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildTestApp, setupTestApp } from '../test/app.ts';
import { eventually } from '../test/eventually.ts';
import { bossSchema, ensureQueues, registerWorker } from './boss.ts';
import { deadLetterQueue, queueNames, queueSettings } from './queues.ts';

const parley = setupTestApp({ workers: true });
let boss: PgBoss;

beforeAll(async () => {
  boss = parley.app.services.boss;
});

const jobState = (queue: string, id: string) =>
  parley.db.pools.owner.maybeOneFirst(
    sql.type(z.object({ state: z.string() }))`
      select state from ${sql.identifier([bossSchema, 'job'])} where name = ${queue} and id = ${id}
    `,
  );

describe('queue registry', () => {
  it('creates every product queue with its policy and a dead-letter queue', async () => {
    for (const name of queueNames) {
      const queue = await boss.getQueue(name);
      expect(queue, name).toMatchObject({ ...queueSettings[name], deadLetter: deadLetterQueue(name) });
      expect(await boss.getQueue(deadLetterQueue(name)), `${name}.dead`).not.toBeNull();
    }
  });

  it('is safe to apply again with changed settings (every node does it at start)', async () => {
    await ensureQueues(boss, { 'test.settings': { retryLimit: 1, notify: true } });
    await ensureQueues(boss, { 'test.settings': { retryLimit: 4, notify: true } });
    expect(await boss.getQueue('test.settings')).toMatchObject({
      retryLimit: 4,
      deadLetter: 'test.settings.dead',
    });
  });
});

describe('workers', () => {
  it('wake on NOTIFY: an idle worker with a 30 s poll picks a new job up at once', async () => {
    await ensureQueues(boss, { 'test.wake': { notify: true, retryLimit: 0 } });
    const done: string[] = [];
    await registerWorker<{ n: number }>(boss, 'test.wake', async (job) => void done.push(job.id), {
      polling: { pollingIntervalSeconds: 30, notifyPollingIntervalSeconds: 30 },
    });
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the worker's first (empty) fetch pass
    const id = await boss.send('test.wake', { n: 1 });
    // Far below the 30 s poll: only the NOTIFY wake-up can explain it (latency itself is measured in bench/).
    await eventually(
      async () => (done.includes(id ?? '') ? true : undefined),
      'the woken worker to run the job',
      5_000,
    );
  });

  it('retry a failing job, then move it to the dead-letter queue where it stays visible', async () => {
    await ensureQueues(boss, { 'test.failing': { notify: true, retryLimit: 2, retryDelay: 0 } });
    let attempts = 0;
    await registerWorker(boss, 'test.failing', async () => {
      attempts++;
      throw new Error('upstream refused');
    });
    const id = await boss.send('test.failing', { payload: 'kept' });
    await eventually(
      async () => ((await jobState('test.failing', id ?? '')) === 'failed' ? true : undefined),
      'the job to fail for good',
      15_000,
    );
    expect(attempts).toBe(3);
    const dead = await eventually(
      async () => {
        const [job] = await boss.fetch<{ payload: string }>('test.failing.dead');
        return job;
      },
      'the job in the dead-letter queue',
      5_000,
    );
    expect(dead.data).toEqual({ payload: 'kept' });
  });
});

describe('shutdown', () => {
  it('finishes a running job before the app closes (graceful drain)', async () => {
    const node = await buildTestApp(parley.db.url, { workers: true });
    await ensureQueues(node.services.boss, { 'test.slow': { notify: true, retryLimit: 0 } });
    let started = false;
    let finished = false;
    await registerWorker(node.services.boss, 'test.slow', async () => {
      started = true;
      await new Promise((resolve) => setTimeout(resolve, 800));
      finished = true;
    });
    const id = await node.services.boss.send('test.slow', {});
    await eventually(async () => (started ? true : undefined), 'the slow job to start', 5_000);

    await node.close();

    expect(finished).toBe(true);
    expect(await jobState('test.slow', id ?? '')).toBe('completed');
  });
});
