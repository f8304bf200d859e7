import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import Fastify, { type FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GraphApiError } from './errors.ts';
import { createGraphClient, defaultGraphApiVersion, type GraphClient } from './graph-client.ts';
import type { OutboundMessage } from './message-payloads.ts';
import { createSimulator, defaultAccessToken, type Simulator } from './simulator/simulator.ts';
import {
  fixture,
  fixtureBytes,
  fixtureNames,
  startWebhookReceiver,
  statusesOf,
  unusedLocalUrl,
  type WebhookReceiver,
} from '../test/whatsapp.ts';

const phoneId = '420000000000001';
const wabaId = '310000000000001';
const maya = '15550123456';
const appSecret = 'graph-client-secret';

/** Runs `call`, expecting a GraphApiError that carries the token nowhere (message, stack, JSON, inspect). */
async function graphError(call: () => Promise<unknown>, token: string): Promise<GraphApiError> {
  let caught: unknown;
  try {
    await call();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(GraphApiError);
  const error = caught as GraphApiError;
  const views = [
    error.message,
    error.stack ?? '',
    JSON.stringify(error),
    inspect(error, { depth: 20, showHidden: true }),
    ...Object.getOwnPropertyNames(error).map((key) => String(Reflect.get(error, key))),
  ];
  for (const view of views) expect(view).not.toContain(token);
  return error;
}

function capturingLogger() {
  const lines: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

describe('graph client against the simulator (real HTTP on 127.0.0.1)', () => {
  let receiver: WebhookReceiver;
  let simulator: Simulator;
  let baseUrl: string;
  let client: GraphClient;
  const log = capturingLogger();
  let requests = 0;
  // The simulator, like Meta, downloads `link` media after accepting a send: serve one to download.
  let files: Server;
  let filesUrl: string;

  beforeAll(async () => {
    files = createServer((_request, response) => {
      response.setHeader('content-type', 'application/pdf');
      response.end('%PDF-1.4 size chart');
    });
    await new Promise<void>((resolve) => files.listen(0, '127.0.0.1', resolve));
    filesUrl = `http://127.0.0.1:${(files.address() as AddressInfo).port}`;
    receiver = await startWebhookReceiver(appSecret);
    simulator = createSimulator({
      webhook: { url: receiver.url, appSecret },
      statusDelaysMs: { sent: 1, delivered: 1, read: 1 },
      templateReviewDelayMs: 5,
      tokens: [
        { token: defaultAccessToken, wabaIds: ['310000000000001', '310000000000002'] },
        { token: 'EAAG-expiring-token-4f2a', wabaIds: [wabaId], expiresAt: Date.UTC(2030, 0, 1) },
        { token: 'EAAG-expired-token-91bc', wabaIds: [wabaId], expiresAt: Date.UTC(2020, 0, 1) },
      ],
    });
    baseUrl = await simulator.listen();
    client = createGraphClient({
      baseUrl,
      accessToken: defaultAccessToken,
      logger: log.logger,
      fetch: (input, init) => {
        requests += 1;
        return fetch(input, init);
      },
    });
  });
  afterAll(async () => {
    await simulator.close();
    await receiver.close();
    files.close();
  });

  it('defaults to a current Graph API version', () => {
    expect(defaultGraphApiVersion).toMatch(/^v2[3-9]\.0$/);
    expect(client.apiVersion).toBe(defaultGraphApiVersion);
  });

  it('sends every message type with the wire format Meta expects, and statuses follow', async () => {
    simulator.customerSends(phoneId, maya, {
      type: 'text',
      text: { body: 'Hi! Is the blue jacket still in stock?' },
    });
    const image = await client.uploadMedia(phoneId, {
      bytes: Buffer.from('fake png'),
      mimeType: 'image/png',
      filename: 'jacket.png',
    });
    const payloads: OutboundMessage[] = [
      { to: maya, type: 'text', text: { body: 'Yes! Blue, M and L.' } },
      { to: maya, type: 'image', image: { id: image.id, caption: 'Blue jacket' } },
      {
        to: maya,
        type: 'document',
        document: { link: `${filesUrl}/size-chart.pdf`, filename: 'Sizes.pdf' },
      },
      {
        to: maya,
        type: 'location',
        location: { latitude: 52.520008, longitude: 13.404954, name: 'Flagship store' },
      },
      {
        to: maya,
        type: 'contacts',
        contacts: [{ name: { formatted_name: 'Store help' }, phones: [{ phone: '+1555' }] }],
      },
      {
        to: maya,
        type: 'interactive',
        interactive: {
          type: 'button',
          body: { text: 'Reserve one?' },
          action: { buttons: [{ type: 'reply', reply: { id: 'reserve', title: 'Reserve' } }] },
        },
      },
      {
        to: maya,
        type: 'interactive',
        interactive: {
          type: 'list',
          body: { text: 'Pick a size' },
          action: {
            button: 'Sizes',
            sections: [
              {
                rows: [
                  { id: 'm', title: 'M' },
                  { id: 'l', title: 'L' },
                ],
              },
            ],
          },
        },
      },
      { to: maya, type: 'template', template: { name: 'hello_world', language: { code: 'en_US' } } },
    ];
    const wamids: string[] = [];
    for (const payload of payloads) {
      const result = await client.sendMessage(phoneId, payload);
      expect(result.wamid).toMatch(/^wamid\./);
      expect(result.contacts).toEqual([{ input: maya, wa_id: maya }]);
      expect(simulator.outboundMessage(result.wamid)?.body).toEqual({
        messaging_product: 'whatsapp',
        ...payload,
      });
      wamids.push(result.wamid);
    }
    const reaction = await client.sendMessage(phoneId, {
      to: maya,
      type: 'reaction',
      reaction: { message_id: wamids[0]!, emoji: '👍' },
    });
    expect(reaction.messageStatus).toBeUndefined();
    const templateResult = simulator.outboundMessage(wamids.at(-1)!);
    expect(templateResult?.category).toBe('utility');

    const statuses = await receiver.waitFor((all) => {
      const found = wamids.map((wamid) => statusesOf(all, wamid).map((s) => s.status));
      return found.every((list) => list.length === 3) ? found : undefined;
    });
    for (const list of statuses) expect(list).toEqual(['sent', 'delivered', 'read']);
  });

  it('rejects an invalid payload before any request', async () => {
    const before = requests;
    const error = await graphError(
      () => client.sendMessage(phoneId, { to: maya, type: 'text', text: { body: '' } }),
      defaultAccessToken,
    );
    expect(error).toMatchObject({
      kind: 'bad-request',
      retryable: false,
      type: 'InvalidRequest',
      code: null,
    });
    expect(requests).toBe(before);
  });

  it('maps template problems to kind "template"', async () => {
    const error = await graphError(
      () =>
        client.sendMessage(phoneId, {
          to: maya,
          type: 'template',
          template: { name: 'hello_world', language: { code: 'fr' } },
        }),
      defaultAccessToken,
    );
    expect(error).toMatchObject({ code: 132001, kind: 'template', retryable: false, httpStatus: 404 });
  });

  it('uploads, describes and downloads media with the bearer token', async () => {
    const bytes = createHash('sha512').update('voice').digest();
    const { id } = await client.uploadMedia(phoneId, { bytes, mimeType: 'audio/ogg', filename: 'note.ogg' });
    const media = await client.getMediaUrl(id);
    expect(media).toMatchObject({
      id,
      mime_type: 'audio/ogg',
      file_size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    const downloaded = await client.downloadMedia(media.url);
    expect(downloaded.mimeType).toBe('audio/ogg');
    expect(downloaded.bytes.equals(bytes)).toBe(true);
  });

  it('refuses an oversize upload locally, without a request', async () => {
    const before = requests;
    const error = await graphError(
      () =>
        client.uploadMedia(phoneId, {
          bytes: new Uint8Array(5 * 1024 * 1024 + 1),
          mimeType: 'image/jpeg',
          filename: 'huge.jpg',
        }),
      defaultAccessToken,
    );
    expect(error).toMatchObject({ kind: 'media', retryable: false });
    expect(error.message).toMatch(/5 MB/);
    expect(requests).toBe(before);
  });

  it('never sends the token to a media URL on another plain-http host', async () => {
    const seen: (string | undefined)[] = [];
    const other = Fastify();
    other.get('/*', async (request) => {
      seen.push(request.headers.authorization);
      return 'x';
    });
    const otherUrl = await other.listen({ port: 0, host: '127.0.0.1' });
    try {
      const error = await graphError(() => client.downloadMedia(`${otherUrl}/media`), defaultAccessToken);
      expect(error).toMatchObject({ kind: 'bad-request', retryable: false });
      expect(seen).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it('creates a template, sees it approved by webhook, pages through all, and deletes it', async () => {
    const created = await client.createTemplate(wabaId, {
      name: 'order_ready',
      language: 'en_US',
      category: 'UTILITY',
      components: [{ type: 'BODY', text: 'Your order {{1}} is ready.', example: { body_text: [['#42']] } }],
    });
    expect(created).toMatchObject({ status: 'PENDING', category: 'UTILITY' });
    const approved = await receiver.waitFor((all) =>
      all.find((w) => w.body.entry[0]?.changes[0]?.value.message_template_name === 'order_ready'),
    );
    expect(approved.body.entry[0]?.changes[0]?.value).toMatchObject({
      event: 'APPROVED',
      message_template_id: Number(created.id),
    });
    for (const name of ['extra_one', 'extra_two', 'extra_three']) {
      await client.createTemplate(wabaId, {
        name,
        language: 'en_US',
        category: 'MARKETING',
        components: [{ type: 'BODY', text: 'Sale!' }],
      });
    }

    const first = await client.listTemplates(wabaId, { limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.nextCursor).toBeTruthy();
    const second = await client.listTemplates(wabaId, { limit: 2, after: first.nextCursor! });
    expect(second.data[0]?.name).not.toBe(first.data[0]?.name);

    const names: string[] = [];
    for await (const template of client.iterateTemplates(wabaId, { limit: 2 })) names.push(template.name);
    expect(names).toEqual(simulator.templates(wabaId).map((t) => t.name));
    expect(names).toEqual(expect.arrayContaining(['hello_world', 'order_ready', 'extra_three']));

    expect(await client.deleteTemplate(wabaId, 'extra_two')).toEqual({ success: true });
    expect(simulator.templates(wabaId).map((t) => t.name)).not.toContain('extra_two');

    const invalid = await graphError(
      () =>
        client.createTemplate(wabaId, {
          name: 'Bad Name',
          language: 'en',
          category: 'UTILITY',
          components: [{ type: 'BODY' }],
        }),
      defaultAccessToken,
    );
    expect(invalid.kind).toBe('template');
  });

  it('lists and reads phone numbers (fixture shape) and subscribes the app', async () => {
    const numbers = await client.listPhoneNumbers(wabaId);
    expect(numbers).toEqual(fixture<{ data: unknown[] }>('graph/phone-numbers.json').data);
    expect(await client.getPhoneNumber(phoneId)).toEqual(numbers[0]);
    expect(await client.subscribeApp(wabaId)).toEqual({ success: true });
  });

  it('checks the token: validity, expiry and reachable WABAs', async () => {
    expect(await client.checkToken()).toEqual({
      valid: true,
      expiresAt: null,
      scopes: expect.arrayContaining(['whatsapp_business_messaging', 'whatsapp_business_management']),
      wabaIds: ['310000000000001', '310000000000002'],
      appId: expect.any(String),
      type: 'SYSTEM_USER',
    });
    const expiring = createGraphClient({ baseUrl, accessToken: 'EAAG-expiring-token-4f2a' });
    expect((await expiring.checkToken()).expiresAt).toEqual(new Date(Date.UTC(2030, 0, 1)));
  });

  it('throws auth errors (190, and 190/463 when expired) that never carry the token', async () => {
    const secret = 'EAAG-wrong-token-5e9d7c';
    const wrongLog = capturingLogger();
    const wrong = createGraphClient({ baseUrl, accessToken: secret, logger: wrongLog.logger });
    const error = await graphError(
      () => wrong.sendMessage(phoneId, { to: maya, type: 'text', text: { body: 'x' } }),
      secret,
    );
    expect(error).toMatchObject({ httpStatus: 401, code: 190, kind: 'auth', retryable: false });
    const tokenCheck = await graphError(() => wrong.checkToken(), secret);
    expect(tokenCheck).toMatchObject({ code: 190, kind: 'auth' });
    expect(wrongLog.lines.length).toBeGreaterThan(0);
    for (const line of wrongLog.lines) expect(line).not.toContain(secret);

    const expiredToken = 'EAAG-expired-token-91bc';
    const expired = createGraphClient({ baseUrl, accessToken: expiredToken });
    const expiredError = await graphError(() => expired.getPhoneNumber(phoneId), expiredToken);
    expect(expiredError).toMatchObject({ code: 190, subcode: 463, kind: 'auth', retryable: false });
    expect(expiredError.hint).toMatch(/expired/i);
  });

  it('logs method, path and status, never query strings or tokens', () => {
    expect(log.lines.length).toBeGreaterThan(5);
    const entries = log.lines.map(
      (line) => JSON.parse(line) as { path: string; status: number; method: string },
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ method: 'GET', path: '/v25.0/debug_token', status: 200 }),
    );
    for (const line of log.lines) expect(line).not.toContain(defaultAccessToken);
  });

  it('turns throughput and pair-rate refusals into retryable "throttled" errors', async () => {
    const limited = createSimulator({ throughputPerSecond: 2, pairRate: { burst: 1, intervalMs: 60_000 } });
    const limitedUrl = await limited.listen();
    try {
      const limitedClient = createGraphClient({ baseUrl: limitedUrl, accessToken: defaultAccessToken });
      const text = (to: string) => ({ to, type: 'text' as const, text: { body: 'hi' } });
      await limitedClient.sendMessage(phoneId, text('15550200001'));
      const pair = await graphError(
        () => limitedClient.sendMessage(phoneId, text('15550200001')),
        defaultAccessToken,
      );
      expect(pair).toMatchObject({ code: 131056, kind: 'throttled', retryable: true });
      const throughput = await graphError(
        () => limitedClient.sendMessage(phoneId, text('15550200002')),
        defaultAccessToken,
      );
      expect(throughput).toMatchObject({ code: 130429, kind: 'throttled', retryable: true });
    } finally {
      await limited.close();
    }
  });

  it('makes timeouts, refused connections and 5xx transient and retryable', async () => {
    const impatient = createGraphClient({ baseUrl, accessToken: defaultAccessToken, timeoutMs: 50 });
    simulator.injectFault({ path: '/messages', delayMs: 400 });
    const timeout = await graphError(
      () => impatient.sendMessage(phoneId, { to: maya, type: 'text', text: { body: 'slow' } }),
      defaultAccessToken,
    );
    expect(timeout).toMatchObject({ type: 'TimeoutError', kind: 'transient', retryable: true, code: null });

    const nowhere = createGraphClient({ baseUrl: await unusedLocalUrl(), accessToken: defaultAccessToken });
    const refused = await graphError(() => nowhere.checkToken(), defaultAccessToken);
    expect(refused).toMatchObject({
      type: 'NetworkError',
      kind: 'transient',
      retryable: true,
      httpStatus: 0,
    });
    expect(refused.message).toContain('ECONNREFUSED');

    simulator.injectFault({ path: `/${phoneId}`, httpStatus: 502 });
    const badGateway = await graphError(() => client.getPhoneNumber(phoneId), defaultAccessToken);
    expect(badGateway).toMatchObject({ httpStatus: 502, code: null, kind: 'transient', retryable: true });

    simulator.injectFault({
      path: '/messages',
      httpStatus: 503,
      code: 2,
      message: 'Service temporarily unavailable',
    });
    const unavailable = await graphError(
      () => client.sendMessage(phoneId, { to: maya, type: 'text', text: { body: 'x' } }),
      defaultAccessToken,
    );
    expect(unavailable).toMatchObject({ httpStatus: 503, code: 2, kind: 'transient', retryable: true });
    // The fault was used up: the next call goes through.
    expect((await client.getPhoneNumber(phoneId)).id).toBe(phoneId);
  });
});

describe('graph client against Meta error fixtures served over HTTP', () => {
  let server: FastifyInstance;
  let client: GraphClient;
  const token = 'EAAG-fixture-token-0b7e';
  const statusOf = (file: string) => (file.startsWith('190') ? 401 : file.startsWith('368') ? 403 : 400);

  beforeAll(async () => {
    server = Fastify();
    server.get('/v25.0/errors/:file', async (request, reply) => {
      const { file } = request.params as { file: string };
      return reply
        .code(statusOf(file))
        .type('application/json')
        .send(fixtureBytes(`graph/errors/${file}`));
    });
    server.post('/v25.0/:phone/messages', async () => ({ messaging_product: 'whatsapp', messages: [] }));
    // A careless server that echoes the credential it was given.
    server.get('/v25.0/echo', async (request, reply) =>
      reply.code(401).send({
        error: {
          message: `Malformed access token ${request.headers.authorization ?? ''}`,
          type: 'OAuthException',
          code: 190,
          error_data: { details: `token=${(request.headers.authorization ?? '').slice(7)}` },
        },
      }),
    );
    client = createGraphClient({
      baseUrl: await server.listen({ port: 0, host: '127.0.0.1' }),
      accessToken: token,
    });
  });
  afterAll(() => server.close());

  it.each(fixtureNames('graph/errors'))('%s', async (file) => {
    const body = fixture<{ error: { code: number; error_subcode?: number; fbtrace_id: string } }>(
      `graph/errors/${file}`,
    );
    const error = await graphError(() => client.getPhoneNumber(`errors/${file}`), token);
    expect(error).toMatchObject({
      httpStatus: statusOf(file),
      code: body.error.code,
      subcode: body.error.error_subcode ?? null,
      fbtraceId: body.error.fbtrace_id,
    });
    expect(error.retryable).toBe([130429, 131056, 80007].includes(body.error.code));
  });

  it('redacts the token even when a server echoes it', async () => {
    const error = await graphError(() => client.getPhoneNumber('echo'), token);
    expect(error.message).toBe('Malformed access token Bearer [redacted]');
    expect(error.details).toBe('token=[redacted]');
  });

  it('treats a 2xx body of the wrong shape as a non-retryable invalid response', async () => {
    const error = await graphError(
      () => client.sendMessage('420000000000001', { to: '1555', type: 'text', text: { body: 'x' } }),
      token,
    );
    expect(error).toMatchObject({ type: 'InvalidResponse', httpStatus: 200, retryable: false });
  });
});
