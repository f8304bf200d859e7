import net from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp } from '../../test/app.ts';
import { setupTestDatabase } from '../../test/db.ts';
import { eventually } from '../../test/eventually.ts';
import { call, type ProcedurePath } from '../../test/http-client.ts';
import { sandboxCustomer } from './sandbox-service.ts';
import type { ChannelView } from './schemas.ts';

// `serve` and `worker` as separate processes: the web server's simulator is the one the Customer
// panel shows, so the worker's sends for sandbox channels must reach it over PUBLIC_URL.
const db = setupTestDatabase();
let web: FastifyInstance;
let worker: FastifyInstance;
let owner: SignedUp;

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const port = await freePort();
  const env = { PUBLIC_URL: `http://127.0.0.1:${port}` };
  web = await buildTestApp(db.url, { workers: false, env });
  await web.listen({ host: '127.0.0.1', port });
  worker = await buildTestApp(db.url, { workers: true, http: false, env });
  owner = await signUpViaHttp(web, { workspaceName: 'Split Shop' });
});
afterAll(async () => {
  await worker?.close();
  await web?.close();
});

const as = (path: ProcedurePath, input?: unknown, kind: 'query' | 'mutation' = 'mutation') =>
  call(web, kind, path, input, { cookie: owner.token });

describe('the sandbox with separate web and worker processes', () => {
  it('shows the worker’s replies in the Customer panel of the web server', async () => {
    const started = await as('channel.trySandbox');
    expect(started.status, JSON.stringify(started.error)).toBe(200);
    const channel = started.data as ChannelView;
    const conversation = await eventually(async () => {
      const list = (await as('conversation.list', {}, 'query')).data as { id: string }[];
      return list[0];
    }, 'the sandbox customer’s first message, processed by the worker');
    const reply = await as('message.send', { conversationId: conversation.id, text: 'Sent by the worker' });
    expect(reply.status, JSON.stringify(reply.error)).toBe(200);

    const shown = await eventually(async () => {
      const thread = (
        await as('channel.sandboxThread', { channelId: channel.id, waId: sandboxCustomer.waId }, 'query')
      ).data as { fromBusiness: { preview: string; status: string | null }[] };
      return thread.fromBusiness.find((m) => m.preview === 'Sent by the worker' && m.status === 'read');
    }, 'the reply on the customer’s phone, read');
    expect(shown.status).toBe('read');
  }, 30_000);
});
