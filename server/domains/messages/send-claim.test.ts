import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { eventually } from '../../test/eventually.ts';
import { call, type ProcedurePath } from '../../test/http-client.ts';
import { sendPendingMessage } from './send-job.ts';

// Meta has no idempotency key: a second attempt of the same message.send job (pg-boss retries it on
// another node once the first node's heartbeat lapses) must not send while the first is still sending.
const parley = setupTestApp({ workers: true });
let owner: SignedUp;

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Claim Shop' });
});

const as = <T>(path: ProcedurePath, input?: unknown, kind: 'query' | 'mutation' = 'mutation') =>
  call<T>(parley.app, kind, path, input, { cookie: owner.token });

describe('sending a message', () => {
  it('is done by one attempt at a time: a second attempt during a slow Graph call sends nothing', async () => {
    expect((await as('channel.trySandbox')).status).toBe(200);
    const conversation = await eventually(async () => {
      const list = await as<{ id: string }[]>('conversation.list', {}, 'query');
      return list.data[0];
    }, 'the sandbox conversation');
    const simulator = parley.app.services.sandbox!.simulator;
    simulator.injectFault({ path: '/messages', delayMs: 2_000 }); // Meta is slow to answer this one

    const sent = await as<{ id: string }>('message.send', {
      conversationId: conversation.id,
      text: 'Only once',
    });
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);
    await eventually(
      async () =>
        (await parley.db.pools.owner.maybeOneFirst(sql.type(z.object({ state: z.string() }))`
          select state::text from pgboss.job where name = 'message.send' and data->>'messageId' = ${sent.data.id}
        `)) === 'active' || undefined,
      'the worker sending',
    );
    await new Promise((resolve) => setTimeout(resolve, 300)); // inside the slow Graph call now

    // The retried attempt, as another node would run it: it sends nothing and comes back after the claim.
    const second = await sendPendingMessage(parley.app.services, {
      tenantId: owner.tenantId,
      messageId: sent.data.id,
    });
    expect(second).toMatchObject({ kind: 'later', reason: 'in-progress' });
    if (second.kind === 'later') expect(second.afterSeconds).toBeGreaterThan(20);

    const wamid = await eventually(async () => {
      const messages = await as<{ id: string; wamid: string | null }[]>(
        'message.list',
        { conversationId: conversation.id },
        'query',
      );
      return messages.data.find((m) => m.id === sent.data.id)?.wamid ?? undefined;
    }, 'the wamid recorded');
    const copies = simulator
      .outboundMessages()
      .filter((m) => m.type === 'text' && JSON.stringify(m.body).includes('Only once'));
    expect(copies.map((m) => m.wamid)).toEqual([wamid]);
  });
});
