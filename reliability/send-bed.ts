// Sends under faults: a Parley process (the workers that call Graph) against the Cloud API simulator in
// this process, a workspace signed up and connected through the real procedures, and customers who
// wrote first (an open 24-hour window). Messages are queued through an in-process app on the same
// database (its workers off), so the process under test does the sending and may be killed meanwhile.
import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../server/test/accounts.ts';
import { buildTestApp } from '../server/test/app.ts';
import { eventually } from '../server/test/eventually.ts';
import { call } from '../server/test/http-client.ts';
import type { TemplateSeed } from '../server/whatsapp/simulator/options.ts';
import { createSimulator, type Simulator } from '../server/whatsapp/simulator/simulator.ts';
import { ParleyProcess, query, recordSecret } from './harness.ts';

export const wabaId = '310000000000001';
export const numbers = ['420000000000001', '420000000000003'] as const;

export interface SendBed {
  simulator: Simulator;
  parley: ParleyProcess;
  app: FastifyInstance;
  owner: SignedUp;
  /** Customer wa_id → conversation id (each customer writes to one number). */
  conversations: Map<string, string>;
  close(): Promise<void>;
}

export async function startSendBed(options: {
  name: string;
  databaseUrl: string;
  port: number;
  simulatorPort: number;
  customers: { waId: string; phoneNumberId: string }[];
  /** The send job's waits (seconds), shortened so a bounded reconciliation fits the suite's budget. */
  timing: { claimSeconds: number; reconcileSeconds: number; backoffSeconds: number };
  /** Message templates on the account (campaigns send them). */
  templates?: TemplateSeed[];
}): Promise<SendBed> {
  const simulator = createSimulator({
    seed: 22,
    statusDelaysMs: { sent: 5, delivered: 15, read: null },
    // Meta keeps retrying a webhook for days; enough here to outlast a restart.
    webhookRetry: { maxAttempts: 40, baseDelayMs: 100, maxDelayMs: 1_000, timeoutMs: 5_000 },
    webhookConcurrency: 4,
    pairRate: { burst: 45, intervalMs: 1_000 },
    wabas: [
      {
        id: wabaId,
        ...(options.templates ? { templates: options.templates } : {}),
        phoneNumbers: [
          { id: numbers[0], displayPhoneNumber: '15550101010', verifiedName: 'Parley Demo Store' },
          { id: numbers[1], displayPhoneNumber: '15550103030', verifiedName: 'Parley Other Line' },
        ],
      },
    ],
  });
  const graphUrl = await simulator.listen({ port: options.simulatorPort });
  const parley = new ParleyProcess({
    name: options.name,
    databaseUrl: options.databaseUrl,
    port: options.port,
    entry: 'harness',
    env: { GRAPH_API_BASE_URL: graphUrl, RELIABILITY_SEND_TIMING: JSON.stringify(options.timing) },
  });
  await parley.start();
  const app = await buildTestApp(options.databaseUrl, { env: { GRAPH_API_BASE_URL: graphUrl } });
  const owner = await signUpViaHttp(app, { workspaceName: `${options.name} shop` });
  const appSecret = `${options.name}-app-secret-0123456789`;
  recordSecret(appSecret, simulator.accessToken, owner.token, owner.password, `${options.name}-verify`);
  const connected = await call(
    app,
    'mutation',
    'channel.connect',
    {
      name: 'Main account',
      metaAppId: '900000000000001',
      appSecret,
      verifyToken: `${options.name}-verify`,
      wabaId,
      accessToken: simulator.accessToken,
    },
    { cookie: owner.token },
  );
  expect(connected.status, JSON.stringify(connected.error)).toBe(200);
  const [channel] = (await call(app, 'query', 'channel.list', undefined, { cookie: owner.token })).data;
  simulator.setWebhookTarget({
    url: `${parley.url}${new URL(channel?.webhookUrl ?? '').pathname}`,
    appSecret,
  });

  for (const customer of options.customers) {
    simulator.customerSends(customer.phoneNumberId, customer.waId, { type: 'text', text: { body: 'Hi' } });
  }
  const conversations = await eventually(
    async () => {
      const rows = await query<{ id: string; wa_id: string }>(
        options.databaseUrl,
        `select c.id, ct.wa_id from app_public.conversations c join app_public.contacts ct on ct.id = c.contact_id
         where c.tenant_id = $1`,
        [owner.tenantId],
      );
      return rows.length === options.customers.length
        ? new Map(rows.map((row) => [row.wa_id, row.id]))
        : undefined;
    },
    'a conversation with every customer',
    60_000,
  );
  return {
    simulator,
    parley,
    app,
    owner,
    conversations,
    async close() {
      await parley.stop();
      await app.close();
      await simulator.close();
    },
  };
}

/** Queues a text to the conversation; its Parley message id. */
export async function queueText(bed: SendBed, conversationId: string, text: string): Promise<string> {
  const sent = await call<{ id: string }>(
    bed.app,
    'mutation',
    'message.send',
    { conversationId, text },
    { cookie: bed.owner.token },
  );
  expect(sent.status, JSON.stringify(sent.error)).toBe(200);
  return sent.data.id;
}
