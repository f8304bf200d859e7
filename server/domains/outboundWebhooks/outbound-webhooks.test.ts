import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'slonik';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp, setupTestApp } from '../../test/app.ts';
import { connectTestChannel, customerWritesText, type TestChannel } from '../../test/channels.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';
import { dispatchStrayDeliveries } from '../../jobs/handlers/webhook-dispatch.ts';
import { attemptDelivery, disableAfterMs } from './deliver.ts';
import { postDelivery } from './send.ts';
import { verifySignature } from './signature.ts';
import { isPrivateAddress, refusedHost } from './ssrf.ts';

// The receiver listens on 127.0.0.1, which only an operator's setting lets endpoints reach.
const parley = setupTestApp({ workers: true, env: { OUTBOUND_WEBHOOKS_ALLOW_PRIVATE: 'on' } });

interface Received {
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A local endpoint that records each request and answers the statuses queued per path (then 200). */
function startReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, number[]>();
  const server = http.createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body });
      const status = answers.get(path)?.shift() ?? (path.startsWith('/down') ? 503 : 200);
      response.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  return {
    received,
    answers,
    server,
    async listen() {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
  };
}

const receiver = startReceiver();
let base = '';
let owner: SignedUp;
let other: SignedUp;
let channel: TestChannel;

interface EndpointWithSecret {
  id: string;
  url: string;
  secret: string;
  enabled: boolean;
}
interface Delivery {
  id: string;
  eventId: string;
  eventType: string;
  status: string;
  attempts: number;
  responseStatus: number | null;
  durationMs: number | null;
  payload: { id: string; type: string; data: Record<string, unknown> };
}

const as = <T>(path: Parameters<typeof call>[2], input: unknown, kind: 'query' | 'mutation', who = owner) =>
  call<T>(parley.app, kind, path, input, { cookie: who.token });

async function createEndpoint(path: string, events: string[]) {
  const created = await as<EndpointWithSecret>(
    'webhookEndpoint.create',
    { url: `${base}${path}`, events, description: path },
    'mutation',
  );
  expect(created.status, JSON.stringify(created.error)).toBe(200);
  return created.data;
}

const deliveriesOf = async (endpointId: string) =>
  (await as<Delivery[]>('webhookEndpoint.deliveries', { endpointId }, 'query')).data;

beforeAll(async () => {
  base = await receiver.listen();
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Hooks Inc' });
  other = await signUpViaHttp(parley.app, { workspaceName: 'Someone Else' });
  channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
});
afterAll(async () => {
  await new Promise((resolve) => receiver.server.close(resolve));
});

describe('outbound webhooks', () => {
  it('delivers a received message signed with the secret shown once, stored encrypted', async () => {
    const endpoint = await createEndpoint('/signed', ['message.received']);
    expect(endpoint.secret).toMatch(/^whsec_[\w-]{43}$/);
    const listed = await as<Record<string, unknown>[]>('webhookEndpoint.list', undefined, 'query');
    expect(JSON.stringify(listed.data)).not.toContain(endpoint.secret);
    const stored = await parley.db.pools.owner.one(
      sql.type(
        z.object({ secret: z.instanceof(Buffer), keyId: z.string() }),
      )`select secret, secret_key_id as "keyId" from app_private.webhook_endpoint_secrets where endpoint_id = ${endpoint.id}`,
    );
    expect(stored.keyId).toBe('test1');
    expect(stored.secret.includes(Buffer.from(endpoint.secret))).toBe(false);

    await customerWritesText(parley.app, channel, '15550123456', 'Where is my order?');
    const request = await eventually(
      async () => receiver.received.find((r) => r.path === '/signed'),
      'the delivery to reach the receiver',
      20_000,
    );
    const signature = String(request.headers['parley-signature']);
    expect(signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(endpoint.secret, signature, request.body)).toBe(true);
    expect(verifySignature(endpoint.secret, signature, `${request.body} `)).toBe(false);
    expect(verifySignature('whsec_wrong', signature, request.body)).toBe(false);
    // A signature outside the 300 s window is refused even though the HMAC matches.
    const t = Number(/t=(\d+)/.exec(signature)?.[1]);
    expect(verifySignature(endpoint.secret, signature, request.body, t + 301)).toBe(false);

    const event = JSON.parse(request.body) as Delivery['payload'] & { createdAt: string };
    expect(event.type).toBe('message.received');
    expect(event.data).toMatchObject({ from: '15550123456', type: 'text', text: 'Where is my order?' });
    expect(request.headers['parley-event-type']).toBe('message.received');

    const [delivery] = await eventually(async () => {
      const log = await deliveriesOf(endpoint.id);
      return log[0]?.status === 'succeeded' ? log : undefined;
    }, 'the log to show the delivery');
    expect(delivery).toMatchObject({ eventId: event.id, attempts: 1, responseStatus: 200 });
    expect(delivery?.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('retries a failed delivery with backoff until the endpoint accepts it', async () => {
    const endpoint = await createEndpoint('/flaky', ['message.received']);
    receiver.answers.set('/flaky', [500]);
    await customerWritesText(parley.app, channel, '15550123457', 'Anyone there?');
    const delivery = await eventually(
      async () => (await deliveriesOf(endpoint.id)).find((d) => d.status === 'succeeded'),
      'the retried delivery to succeed',
      40_000,
    );
    expect(delivery.attempts).toBe(2);
    const attempts = receiver.received.filter((r) => r.path === '/flaky');
    expect(attempts).toHaveLength(2);
    expect(attempts[0]?.body).toBe(attempts[1]?.body);
  }, 60_000);

  it('replays a delivery as a new one with the same event id', async () => {
    const [endpoint] = (
      await as<EndpointWithSecret[]>('webhookEndpoint.list', undefined, 'query')
    ).data.filter((e) => e.url.endsWith('/signed'));
    const [original] = await deliveriesOf(endpoint!.id);
    const before = receiver.received.filter((r) => r.path === '/signed').length;
    const replayed = await as<{ id: string }>('webhookEndpoint.replay', { id: original!.id }, 'mutation');
    expect(replayed.status, JSON.stringify(replayed.error)).toBe(200);
    const copy = await eventually(async () => {
      const log = await deliveriesOf(endpoint!.id);
      const found = log.find((d) => d.id === replayed.data.id);
      return found?.status === 'succeeded' ? found : undefined;
    }, 'the replay to be delivered');
    expect(copy.eventId).toBe(original!.eventId);
    const requests = receiver.received.filter((r) => r.path === '/signed');
    expect(requests).toHaveLength(before + 1);
    expect(JSON.parse(requests.at(-1)!.body)).toEqual(original!.payload);
  });

  it('disables an endpoint that failed for 24 hours and tells the admins (a clock, not sleeping)', async () => {
    const endpoint = await createEndpoint('/down', ['contact.created']);
    await customerWritesText(parley.app, channel, '15550123999', 'New here');
    const first = await eventually(async () => {
      const [d] = await deliveriesOf(endpoint.id);
      return d && d.attempts >= 1 ? d : undefined;
    }, 'a failed attempt');
    expect(first.responseStatus).toBe(503);
    // Later attempts, as the clock moves on: still failing within the day, disabled past it.
    const start = Date.now();
    const job = { tenantId: owner.tenantId, deliveryId: first.id };
    expect(await attemptDelivery(parley.app.services, job, () => new Date(start + 3600_000))).toBe(
      'retrying',
    );
    expect(
      await attemptDelivery(parley.app.services, job, () => new Date(start + disableAfterMs + 60_000)),
    ).toBe('failed');
    const [after] = (
      await as<{ id: string; enabled: boolean; disabledReason: string }[]>(
        'webhookEndpoint.list',
        undefined,
        'query',
      )
    ).data.filter((e) => e.id === endpoint.id);
    expect(after).toMatchObject({ enabled: false, disabledReason: 'Every delivery failed for 24 hours.' });
    const notices = await as<{ items: { kind: string; webhookEndpointUrl: string | null }[] }>(
      'notification.list',
      undefined,
      'query',
    );
    expect(notices.data.items).toContainEqual(
      expect.objectContaining({ kind: 'webhook_disabled', webhookEndpointUrl: `${base}/down` }),
    );
    // A disabled endpoint gets no new deliveries; enabling it again forgets the failures.
    const enabled = await as<{ enabled: boolean; failingSince: string | null }>(
      'webhookEndpoint.update',
      { id: endpoint.id, enabled: true },
      'mutation',
    );
    expect(enabled.data).toMatchObject({ enabled: true, failingSince: null });
  });

  it('delivers events of transactions without an outbox through the dispatcher (contact.create)', async () => {
    const endpoint = await createEndpoint('/contacts', ['contact.created']);
    const created = await as<{ id: string }>('contact.create', { phone: '+4915112345678' }, 'mutation');
    expect(created.status, JSON.stringify(created.error)).toBe(200);
    await dispatchStrayDeliveries(parley.app.services);
    const request = await eventually(
      async () => receiver.received.find((r) => r.path === '/contacts'),
      'the contact.created delivery',
    );
    expect(JSON.parse(request.body)).toMatchObject({
      type: 'contact.created',
      data: { contactId: created.data.id, waId: '4915112345678' },
    });
    expect((await deliveriesOf(endpoint.id))[0]?.status).toBeDefined();
  });

  it('shows another workspace nothing, and lets it replay nothing', async () => {
    const [endpoint] = (await as<EndpointWithSecret[]>('webhookEndpoint.list', undefined, 'query')).data;
    const [delivery] = await deliveriesOf(endpoint!.id);
    expect((await as<unknown[]>('webhookEndpoint.list', undefined, 'query', other)).data).toEqual([]);
    expect(
      (await as<unknown[]>('webhookEndpoint.deliveries', { endpointId: endpoint!.id }, 'query', other)).data,
    ).toEqual([]);
    const replay = await as('webhookEndpoint.replay', { id: delivery!.id }, 'mutation', other);
    expect(replay.status).toBe(404);
    const change = await as(
      'webhookEndpoint.update',
      { id: endpoint!.id, enabled: false },
      'mutation',
      other,
    );
    expect(change.status).toBe(404);
  });

  it('is served as REST to an admin API key', async () => {
    const key = (
      await as<{ token: string }>(
        'apiKey.create',
        { name: 'hooks', scopes: ['read', 'write', 'manage'] },
        'mutation',
      )
    ).data.token;
    const listed = await parley.app.inject({
      method: 'GET',
      url: '/api/v1/webhook-endpoints',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(listed.statusCode, listed.body).toBe(200);
    const [endpoint] = listed.json<{ id: string }[]>();
    const log = await parley.app.inject({
      method: 'GET',
      url: `/api/v1/webhook-endpoints/${endpoint!.id}/deliveries?limit=1`,
      headers: { authorization: `Bearer ${key}` },
    });
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json<unknown[]>().length).toBeLessThanOrEqual(1);
  });
});

describe('the SSRF guard', () => {
  it('knows private, loopback and link-local addresses, including IPv4-mapped ones', () => {
    for (const address of [
      '127.0.0.1',
      '10.1.2.3',
      '172.20.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '::1',
      'fd00::1',
      '::ffff:10.0.0.1',
      '0.0.0.0',
    ])
      expect(isPrivateAddress(address), address).toBe(true);
    for (const address of ['93.184.216.34', '2606:4700::1111', '8.8.8.8'])
      expect(isPrivateAddress(address), address).toBe(false);
    expect(refusedHost('http://localhost:8080/x', false)).toBe('localhost');
    expect(refusedHost('http://[::1]/x', false)).toBe('::1');
    expect(refusedHost('http://127.0.0.1/x', true)).toBeNull();
  });

  it('refuses such endpoints when saved and when connecting, unless the operator allows them', async () => {
    const strict = await buildTestApp(parley.db.url);
    try {
      const refused = await call(
        strict,
        'mutation',
        'webhookEndpoint.create',
        {
          url: `${base}/nope`,
          events: ['contact.created'],
        },
        { cookie: owner.token },
      );
      expect(refused.status).toBe(400);
      expect(refused.error?.message).toContain('private or loopback address');
      // A name that resolves to loopback passes the form but not the connection.
      const sent = await postDelivery(
        `${base.replace('127.0.0.1', 'localtest.invalid')}/x`,
        '{}',
        {},
        { allowPrivate: false },
      );
      expect(sent.ok).toBe(false);
      const viaName = await postDelivery(
        base.replace('127.0.0.1', 'localhost') + '/nope',
        '{}',
        {},
        { allowPrivate: false },
      );
      expect(viaName).toMatchObject({ ok: false, status: null });
      expect(viaName.error).toContain('private or loopback');
      expect(receiver.received.some((r) => r.path === '/nope')).toBe(false);
    } finally {
      await strict.close();
    }
  });
});
