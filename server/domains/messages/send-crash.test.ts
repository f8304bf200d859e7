import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupTestDatabase } from '../../test/db.ts';
import { startSendHarness, type SendHarness } from '../../test/send-harness.ts';
import { defaultSendTiming } from './send-job.ts';

/**
 * A worker that dies before its Graph call sent nothing, so the message must still go (issue 22: the
 * attempt used to be recorded before the rate-slot wait, and a worker killed while waiting left an
 * unsent message to be failed as "most likely not sent"). And a message the customer received never
 * stays failed: a status naming it after the reconciliation gave up brings it back.
 */
const db = setupTestDatabase();
let h: SendHarness;

beforeAll(async () => {
  // Meta's statuses come late (8 s), after the 2 s reconciliation below has given up.
  h = await startSendHarness(db.url, { statusDelaysMs: { sent: 8_000, delivered: 8_100, read: null } });
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  h.simulator.clearFaults();
  Object.assign(h.app.services.sendTiming, defaultSendTiming, {
    beforeGraphCall: undefined,
    afterGraphCall: undefined,
  });
});

function quickTiming(overrides: Partial<typeof defaultSendTiming> = {}) {
  Object.assign(h.app.services.sendTiming, {
    claimSeconds: 2,
    reconcileSeconds: 2,
    backoffSeconds: () => 0.3,
    ...overrides,
  });
}

describe('a worker that dies before calling Graph', () => {
  it('while waiting for its rate slot: the message is sent once by the next attempt, not failed', async () => {
    let crashes = 0;
    quickTiming({
      beforeGraphCall: () => {
        crashes += 1;
        if (crashes === 1) throw new Error('worker killed while waiting for its rate slot');
      },
    });
    const conversationId = await h.conversationWith('15550190001');
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Waited for a slot' });
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);

    const done = await h.until(
      conversationId,
      sent.data.id,
      (m) => m.status === 'delivered' || m.status === 'failed',
      'the message to end final',
      30_000,
    );
    expect(crashes).toBeGreaterThanOrEqual(2);
    expect(done.error).toBeNull();
    expect(done.status).toBe('delivered');
    expect(h.sentTo('15550190001').filter((m) => m.type === 'text')).toHaveLength(1);
  });
});

describe('a message the customer received', () => {
  it('failed as "most likely not sent" before its status arrived: the late status makes it delivered', async () => {
    quickTiming();
    const conversationId = await h.conversationWith('15550190002');
    // Meta accepts, the answer is lost, and Meta's statuses come after Parley stopped waiting for them.
    h.simulator.injectFault({ path: '/messages', dropAfterAccept: true });
    {
      const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Arrived after all' });
      const failed = await h.until(
        conversationId,
        sent.data.id,
        (m) => m.status === 'failed',
        'the bounded reconciliation to give up',
        15_000,
      );
      expect(failed.error).toMatchObject({ kind: 'unknown-outcome' });
      const delivered = await h.until(
        conversationId,
        sent.data.id,
        (m) => m.status === 'delivered',
        'the late status to bring the message back',
        15_000,
      );
      const copies = h.sentTo('15550190002').filter((m) => m.type === 'text');
      expect(copies.map((m) => m.wamid)).toEqual([delivered.wamid]);
      expect(delivered.error).toBeNull();
    }
  });
});
