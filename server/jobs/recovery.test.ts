import { spawn } from 'node:child_process';
import type { PgBoss } from 'pg-boss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../logger.ts';
import { setupTestDatabase } from '../test/db.ts';
import { eventually } from '../test/eventually.ts';
import { ensureQueues, registerWorker, startBoss } from './boss.ts';
import { queueSettings } from './queues.ts';

const db = setupTestDatabase();
const logger = createLogger('silent');
const bosses: PgBoss[] = [];

async function node(): Promise<PgBoss> {
  const boss = await startBoss(db.url, logger, { supervise: true });
  bosses.push(boss);
  return boss;
}

beforeAll(async () => {
  await ensureQueues(await node(), {
    'test.crash': queueSettings['webhook.process'],
    'test.long': queueSettings['webhook.process'],
  });
});
afterAll(async () => {
  await Promise.all(bosses.map((boss) => boss.stop({ graceful: false })));
});

describe('jobs of a crashed worker', () => {
  it('run again on another node within 30 s of a SIGKILL', { timeout: 90_000 }, async () => {
    const stuck = spawn(process.execPath, ['server/test/stuck-worker.ts', db.url, 'test.crash'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    stuck.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => stuck.on('exit', resolve));
    await eventually(
      async () => (output.includes('ready') ? true : undefined),
      'the worker to start',
      30_000,
    );

    const survivor = await node();
    const id = await survivor.send('test.crash', { n: 1 });
    await eventually(async () => (output.includes(`started ${id}`) ? true : undefined), 'the job to start');
    stuck.kill('SIGKILL');
    await exited;
    const killedAt = Date.now();

    const completed: string[] = [];
    await registerWorker(survivor, 'test.crash', async (job) => void completed.push(job.id));
    await eventually(
      async () => (completed.includes(id ?? '') ? true : undefined),
      'the job to run again',
      30_000,
    );
    expect(Date.now() - killedAt).toBeLessThan(30_000);
  });

  it('never start a long job twice while its worker is alive', { timeout: 90_000 }, async () => {
    const starts: string[] = [];
    const done: string[] = [];
    const [first, second] = [await node(), await node()];
    for (const boss of [first, second]) {
      await registerWorker(boss, 'test.long', async (job) => {
        starts.push(job.id);
        // Longer than a heartbeat timeout plus a supervision pass: only live heartbeats keep it claimed.
        await new Promise((resolve) => setTimeout(resolve, 25_000));
        done.push(job.id);
      });
    }
    const id = await first.send('test.long', { n: 1 });
    await eventually(
      async () => (done.includes(id ?? '') ? true : undefined),
      'the long job to finish',
      60_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(starts).toEqual([id]);
  });
});
