import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { setupTestDatabase } from '../../test/db.ts';
import { startSendHarness, type SendHarness } from '../../test/send-harness.ts';
import { defaultSendTiming } from './send-job.ts';

/**
 * Meta's send API has no idempotency key. Parley records each Graph call before making it; when the
 * answer is lost it never resends blindly, but learns from the status webhooks (which echo
 * biz_opaque_callback_data) whether Meta took the message (README, "Sending exactly once").
 */
const db = setupTestDatabase();
let h: SendHarness;

beforeAll(async () => {
  h = await startSendHarness(db.url);
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  h.simulator.clearFaults();
  Object.assign(h.app.services.sendTiming, defaultSendTiming, { afterGraphCall: undefined });
});

/** Short waits for these tests: claims, reconciliation and backoff in seconds, not minutes. */
function quickTiming(overrides: Partial<typeof defaultSendTiming> = {}) {
  Object.assign(h.app.services.sendTiming, {
    claimSeconds: 2,
    reconcileSeconds: 3,
    backoffSeconds: () => 0.3,
    ...overrides,
  });
}

describe('sending exactly once', () => {
  it('Meta accepts, the connection drops before the answer: no resend, the status webhook supplies the wamid', async () => {
    quickTiming();
    const conversationId = await h.conversationWith('15550180001');
    h.simulator.injectFault({ path: '/messages', dropAfterAccept: true });
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Order #1 shipped' });
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);

    const delivered = await h.until(
      conversationId,
      sent.data.id,
      (m) => m.status === 'delivered',
      'the status webhooks to reconcile the send',
    );
    const copies = h.sentTo('15550180001').filter((m) => m.type === 'text');
    expect(copies).toHaveLength(1);
    expect(delivered.wamid).toBe(copies[0]?.wamid);
    expect(delivered.error).toBeNull();

    // The job comes back after the reconciliation wait and finds nothing left to send.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    expect(h.sentTo('15550180001').filter((m) => m.type === 'text')).toHaveLength(1);
  });

  it('the worker dies between the Graph call and the commit: the next attempt does not send again', async () => {
    let crashes = 0;
    quickTiming({
      afterGraphCall: () => {
        crashes += 1;
        if (crashes === 1) throw new Error('worker killed after Meta answered');
      },
    });
    const conversationId = await h.conversationWith('15550180002');
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Your code is 4411' });

    const delivered = await h.until(
      conversationId,
      sent.data.id,
      (m) => m.status === 'delivered',
      'the status webhooks to reconcile the send',
    );
    expect(crashes).toBe(1);
    // pg-boss retries the dead job; it finds the recorded attempt, waits, and sends nothing.
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    const copies = h.sentTo('15550180002').filter((m) => m.type === 'text');
    expect(copies.map((m) => m.wamid)).toEqual([delivered.wamid]);
  });

  it('an answer lost and no status within the bounded wait: failed as "most likely not sent", never resent', async () => {
    quickTiming();
    const conversationId = await h.conversationWith('15550180003');
    // A proxy's bare 502: the request may or may not have reached Meta (here it did not).
    h.simulator.injectFault({ path: '/messages', httpStatus: 502 });
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Lost in transit' });

    const reconciling = await h.until(
      conversationId,
      sent.data.id,
      (m) => m.status === 'pending' && m.error?.kind === 'unknown-outcome',
      'the message to wait for status webhooks',
    );
    expect(reconciling.error).toMatchObject({ retrying: true });
    const failed = await h.until(
      conversationId,
      sent.data.id,
      (m) => m.status === 'failed',
      'the bounded wait to end',
      15_000,
    );
    expect(failed.error).toMatchObject({
      kind: 'unknown-outcome',
      message: expect.stringMatching(/most likely not sent/),
    });
    expect(h.sentTo('15550180003')).toHaveLength(0);

    // The agent decides to send it again: now it goes, once.
    expect((await h.as('message.retry', { id: sent.data.id })).status).toBe(200);
    await h.until(conversationId, sent.data.id, (m) => m.status === 'delivered', 'the resend');
    expect(h.sentTo('15550180003')).toHaveLength(1);
  });
});

describe('retries', () => {
  it('throttling and transient errors back off and retry; the message goes once', async () => {
    quickTiming();
    const conversationId = await h.conversationWith('15550180004');
    h.simulator.injectFault({ path: '/messages', httpStatus: 400, code: 130429 });
    h.simulator.injectFault({ path: '/messages', httpStatus: 500, code: 131000 });
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Third time lucky' });
    await h.until(conversationId, sent.data.id, (m) => m.status === 'delivered', 'the send after retries');
    expect(h.sentTo('15550180004')).toHaveLength(1);
  });

  it.each([
    [131026, 'undeliverable'],
    [131048, 'policy'],
    [368, 'policy'],
    [100, 'bad-request'],
  ])('a permanent error (%i) fails at once with Meta’s reason on the message', async (code, kind) => {
    quickTiming();
    const conversationId = await h.conversationWith(`155501810${code % 100}`.padEnd(11, '0'));
    h.simulator.injectFault({ path: '/messages', httpStatus: 400, code, message: `(#${code}) From Meta` });
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Will not go' });
    const failed = await h.until(conversationId, sent.data.id, (m) => m.status === 'failed', 'the failure');
    expect(failed.error).toMatchObject({ code, kind, message: expect.stringMatching(/From Meta/) });
    // Once: no retry reached the simulator (the fault answered the only call).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect((await h.messages(conversationId)).find((m) => m.id === sent.data.id)?.status).toBe('failed');
  });

  it('a closed window reported by Meta (131047) fails with Meta’s reason', async () => {
    quickTiming();
    const conversationId = await h.conversationWith('15550180005');
    // Meta's clock says the window closed (Parley still thought it open): the send is accepted, then failed.
    h.simulator.injectFault({ path: '/messages', httpStatus: 400, code: 131047 });
    const sent = await h.as<{ id: string }>('message.send', { conversationId, text: 'Too late' });
    const failed = await h.until(conversationId, sent.data.id, (m) => m.status === 'failed', 'the failure');
    expect(failed.error).toMatchObject({ code: 131047, kind: 'window-closed' });
  });
});
