import { describe, expect, it } from 'vitest';
import { eventually } from '../server/test/eventually.ts';
import {
  basePort,
  failureReasons,
  outboundRows,
  recordFigures,
  scenarioFile,
  settledSends,
} from './harness.ts';
import { numbers, queueText, startSendBed, type SendBed } from './send-bed.ts';

/**
 * Promise 4: Graph on a bad day — bare 5xx from a proxy, Graph errors, 130429 throughput storms, slow
 * answers, connection resets, sends accepted whose answer never comes or comes after the client's
 * timeout — sends nothing twice and leaves every message final; the workspace's other number, on the
 * same WABA and token, is not slowed or failed by it.
 */
const file = scenarioFile<SendBed>();

describe('Graph faults from the simulator’s chaos mode', () => {
  it('no duplicate send, every message final, the other number unaffected', async () => {
    const troubled = Array.from({ length: 10 }, (_, i) => ({
      waId: `1555400${String(i).padStart(4, '0')}`,
      phoneNumberId: numbers[0],
    }));
    const healthy = Array.from({ length: 6 }, (_, i) => ({
      waId: `1555410${String(i).padStart(4, '0')}`,
      phoneNumberId: numbers[1],
    }));
    const bed = file.keep(
      await startSendBed({
        name: 'graph-chaos',
        databaseUrl: file.db.url,
        port: basePort + 3,
        simulatorPort: basePort + 1003,
        customers: [...troubled, ...healthy],
        timing: { claimSeconds: 3, reconcileSeconds: 6, backoffSeconds: 0.5 },
      }),
    );
    const { simulator, parley } = bed;
    const path = `/${numbers[0]}/messages`;
    const chaos = [
      { name: 'bare 502', fault: { httpStatus: 502, probability: 0.08 } },
      { name: 'Graph 500 code 2', fault: { httpStatus: 500, code: 2, probability: 0.08 } },
      { name: '130429 storm', fault: { httpStatus: 400, code: 130429, probability: 0.2 } },
      { name: 'slow (2 s)', fault: { delayMs: 2_000, probability: 0.08 } },
      { name: 'connection reset', fault: { resetConnection: true, probability: 0.08 } },
      { name: 'accepted, answer dropped', fault: { dropAfterAccept: true, probability: 0.08 } },
      // Accepted, answered after the Graph client's 15 s timeout: twice in the run.
      { name: 'accepted, client timeout', fault: { answerDelayMs: 16_000, probability: 0.05, times: 2 } },
    ];
    for (const { fault } of chaos) simulator.injectFault({ path, times: 100_000, ...fault });

    const texts = new Map<string, string>();
    const started = Date.now();
    for (let round = 0; round < 4; round++) {
      for (const customer of [...troubled, ...healthy]) {
        const text = `chaos ${round}-${customer.waId}`;
        await queueText(bed, bed.conversations.get(customer.waId) ?? '', text);
        texts.set(text, customer.phoneNumberId);
      }
    }
    const healthyDone = await eventually(
      async () => {
        const rows = (await outboundRows(file.db.url, bed.owner.tenantId)).filter(
          (row) => row.phone_number_id === numbers[1],
        );
        return rows.length === healthy.length * 4 && rows.every((row) => row.status !== 'pending')
          ? { rows, seconds: (Date.now() - started) / 1000 }
          : undefined;
      },
      'the healthy number’s messages to be sent',
      60_000,
    );
    const settled = await settledSends(file.db.url, bed.owner.tenantId, simulator, [...texts.keys()]);
    const { rows, copies, duplicates, atMeta: sentAtMeta } = settled;
    const allSeconds = (Date.now() - started) / 1000;
    const troubledRows = rows.filter((row) => row.phone_number_id === numbers[0]);
    const healthyFailed = healthyDone.rows.filter((row) => row.status === 'failed').length;
    const healthyRetried = healthyDone.rows.filter((row) => row.send_attempts > 1).length;
    recordFigures('4 Graph chaos (one number)', {
      messages: texts.size,
      'copies at Meta': [...copies.values()].reduce((a, b) => a + b, 0),
      duplicates,
      final: rows.length,
      'troubled sent': troubledRows.filter(sentAtMeta).length,
      'troubled failed': troubledRows.filter((row) => row.status === 'failed').length,
      'failed though delivered': settled.failedThoughDelivered,
      'max send attempts': Math.max(...rows.map((row) => row.send_attempts)),
      'other number failed': healthyFailed,
      'other number retried': healthyRetried,
      'other number done s': healthyDone.seconds.toFixed(1),
      'all final s': allSeconds.toFixed(1),
      'failure reasons': failureReasons(rows),
      exits: parley.unexpectedExits,
    });
    expect(duplicates).toBe(0);
    expect(settled.failedThoughDelivered).toBe(0);
    expect(rows.filter((row) => row.status !== 'failed' && !sentAtMeta(row))).toEqual([]);
    expect(healthyFailed).toBe(0);
    expect(healthyRetried).toBe(0);
    expect(Math.max(...rows.map((row) => row.send_attempts))).toBeLessThanOrEqual(8);
    expect(parley.unexpectedExits).toBe(0);
  });
});
