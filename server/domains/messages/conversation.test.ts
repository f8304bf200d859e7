import type { FastifyInstance } from 'fastify';
import { sql } from 'slonik';
import { z } from 'zod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp } from '../../test/app.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';
import { createSimulator } from '../../whatsapp/simulator/simulator.ts';

/**
 * Parley and the Cloud API simulator hold a whole conversation over real HTTP: the simulator's
 * customer writes, Parley stores it from a signed webhook, an agent replies, the worker sends it
 * through the Graph API, and the statuses come back by webhook until the reply is read.
 */
const db = setupTestDatabase();
const appSecret = 'e2e-app-secret-0123456789';
let simulator: ReturnType<typeof createSimulator>;
let app: FastifyInstance;
let owner: SignedUp;
let parleyUrl = '';

beforeAll(async () => {
  simulator = createSimulator({ seed: 7, statusDelaysMs: { sent: 5, delivered: 15, read: 30 } });
  const graphUrl = await simulator.listen();
  app = await buildTestApp(db.url, { workers: true, env: { GRAPH_API_BASE_URL: graphUrl } });
  parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  owner = await signUpViaHttp(app, { workspaceName: 'Jacket Shop' });
  const connected = await call(app, 'mutation', 'channel.connect', connectInput(), { cookie: owner.token });
  expect(connected.status, JSON.stringify(connected.error)).toBe(200);
});
afterAll(async () => {
  await app.close();
  await simulator.close();
});

const connectInput = (overrides: Record<string, string> = {}) => ({
  name: 'Main number',
  metaAppId: '900000000000001',
  appSecret,
  verifyToken: 'e2e-verify-token',
  wabaId: '310000000000001',
  accessToken: simulator.accessToken,
  ...overrides,
});

describe('a whole conversation with the simulator', () => {
  it('customer message in → stored → reply out → statuses back to read', async () => {
    const [channel] = (await call(app, 'query', 'channel.list', undefined, { cookie: owner.token })).data;
    const path = new URL(channel?.webhookUrl ?? '').pathname;
    simulator.setWebhookTarget({ url: `${parleyUrl}${path}`, appSecret });

    simulator.customerSends(
      '420000000000001',
      '15550123456',
      { type: 'text', text: { body: 'Is the blue jacket in stock?' } },
      { name: 'Maya Lindqvist' },
    );
    const conversation = await eventually(async () => {
      const list = await call(app, 'query', 'conversation.list', {}, { cookie: owner.token });
      return list.data.find((c) => c.contact.waId === '15550123456');
    }, 'the inbound message to reach the inbox');
    expect(conversation).toMatchObject({ unreadCount: 1, contact: { name: 'Maya Lindqvist' } });
    expect(
      (await call(app, 'mutation', 'conversation.markRead', { id: conversation.id }, { cookie: owner.token }))
        .status,
    ).toBe(200);
    const afterOpening = await call(app, 'query', 'conversation.list', {}, { cookie: owner.token });
    expect(afterOpening.data.find((c) => c.id === conversation.id)?.unreadCount).toBe(0);
    expect(conversation.windowClosesAt).not.toBeNull();

    const sent = await call(
      app,
      'mutation',
      'message.send',
      { conversationId: conversation.id, text: 'Yes! Blue, in M and L.' },
      { cookie: owner.token },
    );
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);
    expect(sent.data.status).toBe('queued');
    // The request id travels into the job, so the worker's log lines can be followed back to the request.
    const jobData = await app.services.pools.owner.oneFirst(
      sql.type(z.object({ data: z.object({ requestId: z.string().optional() }) }))`
        select data from pgboss.job where name = 'message.send' and data->>'messageId' = ${sent.data.id}
      `,
    );
    expect(jobData.requestId).toMatch(/^[0-9a-f-]{36}$/);

    const reply = await eventually(async () => {
      const messages = await call(
        app,
        'query',
        'message.list',
        { conversationId: conversation.id },
        { cookie: owner.token },
      );
      const found = messages.data.find((m) => m.id === sent.data.id);
      return found?.status === 'read' ? found : undefined;
    }, 'the reply to be read');
    expect(reply).toMatchObject({
      direction: 'outbound',
      body: 'Yes! Blue, in M and L.',
      wamid: expect.stringMatching(/^wamid\./),
    });
    expect(
      simulator
        .outboundMessages()
        .map((m) => (m as { body?: { text?: { body?: string } } }).body?.text?.body),
    ).toContain('Yes! Blue, in M and L.');

    const messages = await call(
      app,
      'query',
      'message.list',
      { conversationId: conversation.id },
      { cookie: owner.token },
    );
    expect(messages.data.map((m) => [m.direction, m.body])).toEqual([
      ['outbound', 'Yes! Blue, in M and L.'],
      ['inbound', 'Is the blue jacket in stock?'],
    ]);
  });

  it('a reply that keeps failing on Meta’s side ends as failed, not pending forever', async () => {
    const conversation = (
      await call(app, 'query', 'conversation.list', {}, { cookie: owner.token })
    ).data.find((c) => c.contact.waId === '15550123456');
    // Few, quick retries for this test; the product's policy is restored afterwards.
    const timing = { ...app.services.sendTiming };
    Object.assign(app.services.sendTiming, { maxAttempts: 3, backoffSeconds: () => 0.5 });
    simulator.injectFault({ path: '/messages', times: 10, httpStatus: 500, code: 2 });
    try {
      const sent = await call(
        app,
        'mutation',
        'message.send',
        { conversationId: conversation?.id, text: 'Will this arrive?' },
        { cookie: owner.token },
      );
      // While pg-boss retries, the reply stays pending and says why it has not gone yet.
      const retrying = await eventually(async () => {
        const messages = await call(
          app,
          'query',
          'message.list',
          { conversationId: conversation?.id },
          { cookie: owner.token },
        );
        const found = messages.data.find((m) => m.id === sent.data.id);
        return found?.status === 'pending' && found.error ? found : undefined;
      }, 'the pending reply to say why it is retrying');
      expect(retrying.error).toMatchObject({
        retrying: true,
        message: expect.stringMatching(/^WhatsApp answered: /),
      });

      const failed = await eventually(
        async () => {
          const messages = await call(
            app,
            'query',
            'message.list',
            { conversationId: conversation?.id },
            { cookie: owner.token },
          );
          const found = messages.data.find((m) => m.id === sent.data.id);
          return found?.status === 'failed' ? found : undefined;
        },
        'the message to fail',
        20_000,
      );

      // The failure keeps Meta's last answer, and the agent can send the same reply again.
      expect(failed.error).toMatchObject({
        message: expect.stringMatching(/Send it again/),
        detail: expect.any(String),
      });
      simulator.clearFaults();
      const retried = await call(
        app,
        'mutation',
        'message.retry',
        { id: sent.data.id },
        { cookie: owner.token },
      );
      expect(retried.status, JSON.stringify(retried.error)).toBe(200);
      await eventually(async () => {
        const messages = await call(
          app,
          'query',
          'message.list',
          { conversationId: conversation?.id },
          { cookie: owner.token },
        );
        const found = messages.data.find((m) => m.id === sent.data.id);
        return found?.wamid && found.error === null ? found : undefined;
      }, 'the retried reply to be accepted by Meta');
      const again = await call(
        app,
        'mutation',
        'message.retry',
        { id: sent.data.id },
        { cookie: owner.token },
      );
      expect(again.status).toBe(412);
    } finally {
      simulator.clearFaults();
      Object.assign(app.services.sendTiming, timing);
    }
  });

  it('in a suspended workspace: webhooks are still stored, sends are refused with a clear error', async () => {
    await app.services.pools.owner.query(
      sql.unsafe`update app_private.tenants set status = 'suspended', suspended_at = now() where id = ${owner.tenantId}`,
    );
    try {
      simulator.customerSends('420000000000001', '15550123456', {
        type: 'text',
        text: { body: 'Hello again' },
      });
      const conversation = await eventually(async () => {
        const list = await call(app, 'query', 'conversation.list', {}, { cookie: owner.token });
        const found = list.data.find((c) => c.contact.waId === '15550123456');
        return found && found.unreadCount > 0 ? found : undefined;
      }, 'the message to a suspended workspace to be stored');
      const refused = await call(
        app,
        'mutation',
        'message.send',
        { conversationId: conversation.id, text: 'Hi' },
        { cookie: owner.token },
      );
      expect(refused.status).toBe(403);
      expect(refused.error?.message).toMatch(/suspended: sending is disabled/);
    } finally {
      await app.services.pools.owner.query(
        sql.unsafe`update app_private.tenants set status = 'active', suspended_at = null where id = ${owner.tenantId}`,
      );
    }
  });

  it('refuses a free-form reply outside the 24-hour window, in the API', async () => {
    simulator.customerSends('420000000000001', '15550199999', { type: 'text', text: { body: 'Hello' } });
    const conversation = await eventually(async () => {
      const list = await call(app, 'query', 'conversation.list', {}, { cookie: owner.token });
      return list.data.find((c) => c.contact.waId === '15550199999');
    }, 'the second customer');
    await app.services.pools.owner.query(
      (await import('slonik')).sql
        .unsafe`update app_public.conversations set last_inbound_at = now() - interval '25 hours' where id = ${conversation.id}`,
    );
    const refused = await call(
      app,
      'mutation',
      'message.send',
      { conversationId: conversation.id, text: 'Still there?' },
      { cookie: owner.token },
    );
    expect(refused.status).toBe(412);
    expect(refused.error?.message).toMatch(/only an approved template/);
  });
});
