import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { createSimulator } from '../whatsapp/simulator/simulator.ts';
import type { SimulatorOptions } from '../whatsapp/simulator/options.ts';
import { signUpViaHttp, type SignedUp } from './accounts.ts';
import { buildTestApp } from './app.ts';
import { eventually } from './eventually.ts';
import { call, type ProcedurePath } from './http-client.ts';

export interface SentMessage {
  id: string;
  direction: string;
  type: string;
  body: string | null;
  content: Record<string, unknown>;
  status: string;
  wamid: string | null;
  error: Record<string, unknown> | null;
  quotedWamid: string | null;
  /** Meta's pricing category, once a status carried one. */
  pricingCategory: string | null;
  /** The business's own reaction on this message (the latest an agent sent to it). */
  ownReaction: { messageId: string; emoji: string | null; status: string; error: unknown } | null;
}

export const simulatorPhoneNumberId = '420000000000001';

/**
 * Parley and a Cloud API simulator over real HTTP (so the simulator can drop connections), with a
 * workspace whose channel is connected to it and whose webhooks it signs: what the send tests share.
 */
export async function startSendHarness(databaseUrl: string, options: SimulatorOptions = {}) {
  const appSecret = 'send-app-secret-0123456789';
  const simulator = createSimulator({
    seed: 18,
    statusDelaysMs: { sent: 5, delivered: 15, read: null },
    ...options,
  });
  const graphUrl = await simulator.listen();
  const app: FastifyInstance = await buildTestApp(databaseUrl, {
    workers: true,
    env: { GRAPH_API_BASE_URL: graphUrl, LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent' },
  });
  const parleyUrl = await app.listen({ port: 0, host: '127.0.0.1' });
  const owner: SignedUp = await signUpViaHttp(app, { workspaceName: 'Send Shop' });
  const as = async <T>(path: ProcedurePath, input?: unknown, kind: 'query' | 'mutation' = 'mutation') =>
    call<T>(app, kind, path, input, { cookie: owner.token });

  const connected = await as('channel.connect', {
    name: 'Main number',
    metaAppId: '900000000000001',
    appSecret,
    verifyToken: 'send-verify-token',
    wabaId: '310000000000001',
    accessToken: simulator.accessToken,
  });
  expect(connected.status, JSON.stringify(connected.error)).toBe(200);
  const [channel] = (await as<{ webhookUrl: string }[]>('channel.list', undefined, 'query')).data;
  simulator.setWebhookTarget({
    url: `${parleyUrl}${new URL(channel?.webhookUrl ?? '').pathname}`,
    appSecret,
  });

  const messages = async (conversationId: string) =>
    (await as<SentMessage[]>('message.list', { conversationId }, 'query')).data;

  return {
    app,
    simulator,
    owner,
    as,
    messages,

    /** The customer `waId` writes first (opening the 24-hour window); the conversation's id. */
    async conversationWith(waId: string, text = 'Hello'): Promise<string> {
      simulator.customerSends(
        simulatorPhoneNumberId,
        waId,
        { type: 'text', text: { body: text } },
        { name: 'Ada' },
      );
      const conversation = await eventually(async () => {
        const list = await as<{ id: string; contact: { waId: string | null } }[]>(
          'conversation.list',
          {},
          'query',
        );
        return list.data.find((c) => c.contact.waId === waId);
      }, `the conversation with ${waId}`);
      return conversation.id;
    },

    /** Waits until the message satisfies `done`, and returns it. */
    async until(
      conversationId: string,
      messageId: string,
      done: (message: SentMessage) => boolean,
      what: string,
      timeoutMs = 10_000,
    ): Promise<SentMessage> {
      return eventually(
        async () => (await messages(conversationId)).find((m) => m.id === messageId && done(m)),
        what,
        timeoutMs,
      );
    },

    /** What reached the simulator for this conversation's customer (Meta's copy of each send). */
    sentTo: (waId: string) => simulator.outboundMessages().filter((m) => m.to === waId),

    async close() {
      await app.close();
      await simulator.close();
    },
  };
}

export type SendHarness = Awaited<ReturnType<typeof startSendHarness>>;
