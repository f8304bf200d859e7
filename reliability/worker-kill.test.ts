import { describe, expect, it } from 'vitest';
import { basePort, failureReasons, recordFigures, scenarioFile, settledSends, sleep } from './harness.ts';
import { numbers, queueText, startSendBed, type SendBed } from './send-bed.ts';

/**
 * Promise 3: a worker SIGKILLed while it sends — while it waits for a rate slot, before Graph answers,
 * while a slow answer is on its way after Meta accepted (the crash between the Graph call and the
 * commit), or anywhere else — costs no second copy: at most one customer-visible copy of every
 * message, every message ends final, none the customer got ends failed, and retries stay bounded
 * (send_attempts, the retries after transient errors, within the maximum).
 */
const file = scenarioFile<SendBed>();

const kills = Number(process.env.RELIABILITY_WORKER_KILLS ?? 3);
const maxAttempts = 8;

describe('SIGKILL of the worker during sends', () => {
  it(`sends every message at most once across ${kills} kills, and each ends final`, async () => {
    const customers = Array.from({ length: 16 }, (_, i) => ({
      waId: `1555300${String(i).padStart(4, '0')}`,
      phoneNumberId: numbers[0],
    }));
    const bed = file.keep(
      await startSendBed({
        name: 'worker-kill',
        databaseUrl: file.db.url,
        port: basePort + 2,
        simulatorPort: basePort + 1002,
        customers,
        timing: { claimSeconds: 3, reconcileSeconds: 6, backoffSeconds: 0.5 },
      }),
    );
    const { simulator, parley } = bed;
    // Slow Graph: half the sends are answered 400 ms after Meta accepted them, a third wait 200 ms
    // before being handled, so kills land inside Graph calls on both sides of the acceptance.
    simulator.injectFault({ path: '/messages', answerDelayMs: 400, probability: 0.5, times: 100_000 });
    simulator.injectFault({ path: '/messages', delayMs: 200, probability: 0.3, times: 100_000 });

    // Queued while the worker is down, so every kill lands while sends are under way: each round
    // starts it, lets it send for a moment, and kills it.
    await parley.kill();
    const texts: string[] = [];
    for (let round = 0; round < 6; round++) {
      for (const customer of customers) {
        const text = `order update ${round}-${customer.waId}`;
        await queueText(bed, bed.conversations.get(customer.waId) ?? '', text);
        texts.push(text);
      }
    }
    const sentBeforeKill: number[] = [];
    for (let round = 0; round < kills; round++) {
      await parley.start();
      await sleep(300 + Math.random() * 900);
      await parley.kill();
      sentBeforeKill.push(simulator.outboundMessages().length);
    }
    await parley.start();
    const settled = await settledSends(file.db.url, bed.owner.tenantId, simulator, texts);
    const { rows, copies, duplicates, atMeta, failedThoughDelivered } = settled;

    const sentRows = rows.filter((row) => ['sent', 'delivered', 'read'].includes(row.status));
    const failed = rows.filter((row) => row.status === 'failed');
    const notDeliveredButSent = sentRows.filter((row) => !atMeta(row)).length;
    const maxSendAttempts = Math.max(...rows.map((row) => row.send_attempts));
    recordFigures('3 worker SIGKILL during sends', {
      kills,
      messages: texts.length,
      'copies at Meta': [...copies.values()].reduce((a, b) => a + b, 0),
      duplicates,
      final: rows.length,
      sent: sentRows.length,
      failed: failed.length,
      'failed though delivered': failedThoughDelivered,
      'sent though not at Meta': notDeliveredButSent,
      'max retries': maxSendAttempts,
      'at Meta by each kill': sentBeforeKill.join('/'),
      'all final s after restart': settled.seconds.toFixed(1),
      'failure reasons': failureReasons(rows),
      exits: parley.unexpectedExits,
    });
    expect(duplicates).toBe(0);
    expect(failedThoughDelivered).toBe(0);
    expect(notDeliveredButSent).toBe(0);
    expect(maxSendAttempts).toBeLessThanOrEqual(maxAttempts);
    expect(parley.unexpectedExits).toBe(0);
  });
});
