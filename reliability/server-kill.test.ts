import { afterAll, describe, expect, it } from 'vitest';
import { setupTestDatabase } from '../server/test/db.ts';
import { eventually } from '../server/test/eventually.ts';
import { basePort, ParleyProcess, query, recordFigures, sleep, workspaceWithChannel } from './harness.ts';
import { accountingQuery, WebhookLoad, type Accounting, type LoadChannel } from './webhook-load.ts';

/**
 * Promise 1: every webhook POST that got a 200 is stored and processed exactly once, even when the
 * process is SIGKILLed under load (several times, restarted each time); the load generator retries
 * what got no 200, as Meta does.
 */
const db = setupTestDatabase();
const parleys: ParleyProcess[] = [];
afterAll(async () => {
  for (const parley of parleys) await parley.stop();
});

const kills = Number(process.env.RELIABILITY_KILLS ?? 3);

describe('SIGKILL of the server during signed-webhook load', () => {
  it(`keeps every acknowledged webhook, processed once, across ${kills} kills`, async () => {
    const numbers = [
      { wabaId: '310000000000101', phoneNumberId: '420000000000101', displayPhoneNumber: '15550111101' },
      { wabaId: '310000000000102', phoneNumberId: '420000000000102', displayPhoneNumber: '15550111102' },
    ];
    const channels: LoadChannel[] = [];
    for (const ids of numbers) channels.push({ ...ids, ...(await workspaceWithChannel(db.url, ids)) });
    const parley = new ParleyProcess({ name: 'server-kill', databaseUrl: db.url, port: basePort });
    parleys.push(parley);
    await parley.start();

    const load = new WebhookLoad(parley.url, channels, { concurrency: 16, prefix: 'kill' });
    load.start();
    const restartSeconds: number[] = [];
    for (let round = 0; round < kills; round++) {
      await sleep(2_000 + Math.random() * 1_500);
      await parley.kill();
      const killedAt = Date.now();
      await parley.start();
      restartSeconds.push((Date.now() - killedAt) / 1000);
    }
    await sleep(1_500);
    await load.stop();

    const accounting = await eventually(
      async () => {
        const [row] = await query<Accounting & Record<string, number>>(db.url, accountingQuery, [
          [...load.acknowledged],
        ]);
        return row && row.waiting === 0 && row.processed + row.lost >= load.acknowledged.size
          ? row
          : undefined;
      },
      'every stored delivery to be processed',
      60_000,
    );
    const figures = {
      kills,
      sent: load.sent.size,
      attempts: load.attempts,
      acknowledged: load.acknowledged.size,
      stored: accounting.stored,
      processed: accounting.processed,
      duplicates: accounting.duplicates,
      lost: accounting.lost,
      refused: load.attempts - (load.statuses['200'] ?? 0),
      'restart s (max)': Math.max(...restartSeconds).toFixed(1),
    };
    recordFigures('1 server SIGKILL under webhook load', figures);
    expect(load.acknowledged.size).toBeGreaterThan(100);
    expect(accounting.stored).toBe(load.acknowledged.size);
    expect(accounting.processed).toBe(load.acknowledged.size);
    expect(accounting.duplicates).toBe(0);
    expect(accounting.lost).toBe(0);
    expect(parley.unexpectedExits).toBe(0);
  });
});
