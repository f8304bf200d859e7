import { Validator } from '@seriousme/openapi-schema-validator';
import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { connectTestChannel, customerWritesText, processed } from '../test/channels.ts';
import { setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';
import { listProcedures } from '../test/procedures.ts';
import { appRouter } from '../trpc/router.ts';

const parley = setupTestApp({ workers: true });
const procedures = appRouter._def.procedures as unknown as Record<
  string,
  { _def: { meta?: { openapi?: unknown } } }
>;
let owner: SignedUp;
let fullKey = '';
let readKey = '';

interface RestError {
  error: { code: string; message: string; fields?: Record<string, string[]>; requestId?: string };
}

function rest(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', url: string, key: string, body?: unknown) {
  return parley.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: {
      authorization: `Bearer ${key}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { payload: JSON.stringify(body) }),
  });
}

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Rest Works' });
  const channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  const create = async (scopes: string[]) =>
    (
      await call(
        parley.app,
        'mutation',
        'apiKey.create',
        { name: scopes.join('+'), scopes },
        { cookie: owner.token },
      )
    ).data.token;
  fullKey = await create(['read', 'write', 'manage']);
  readKey = await create(['read']);
  await customerWritesText(parley.app, channel, '15550123456', 'Hello from REST one');
  await customerWritesText(parley.app, channel, '15550123457', 'Hello from REST two');
  await processed(parley.app);
});

describe('GET /api/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document listing every procedure that has a REST path', async () => {
    const answer = await parley.app.inject({ method: 'GET', url: '/api/openapi.json' });
    expect(answer.statusCode).toBe(200);
    const document = answer.json<{
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    }>();
    const validator = new Validator();
    const result = await validator.validate(document);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
    const operations = Object.values(document.paths).flatMap((item) =>
      Object.values(item).map((o) => o.operationId),
    );
    const withRestPath = Object.entries(procedures)
      .filter(([, procedure]) => procedure._def.meta?.openapi)
      .map(([path]) => path.replace('.', '-'));
    expect(operations.sort()).toEqual(withRestPath.sort());
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/messages',
        '/conversations',
        '/conversations/{id}',
        '/templates',
        '/channels',
        '/webhook-events',
      ]),
    );
    // Every failure answer is the one documented shape.
    expect(JSON.stringify(document).includes('"issues"')).toBe(false);
  });

  it('names every procedure an API key may call with write access to messages and conversations', () => {
    const paths = new Set(listProcedures().map((p) => p.path));
    for (const path of [
      'message.send',
      'message.sendTemplate',
      'conversation.list',
      'conversation.setStatus',
      'conversation.assign',
      'contact.byId',
      'template.list',
      'channel.list',
      'webhook.list',
      'webhook.replay',
    ]) {
      expect(paths.has(path as never), path).toBe(true);
      const meta = procedures[path]?._def.meta;
      expect(meta?.openapi, path).toBeTruthy();
    }
  });
});

describe('/api/docs', () => {
  it('serves the interactive reference with its script from this server (no CDN)', async () => {
    const page = await parley.app.inject({ method: 'GET', url: '/api/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('/api/openapi.json');
    expect(page.body).not.toMatch(/https?:\/\/cdn/);
    const script = await parley.app.inject({ method: 'GET', url: '/api/docs/js/scalar.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
  });
});

describe('the REST mirror', () => {
  it('lists, filters, pages with cursors, reads, changes and sends with an API key', async () => {
    const all = await rest('GET', '/conversations?status=open', readKey);
    expect(all.statusCode, all.body).toBe(200);
    const conversations = all.json<{ id: string; version: number; cursor: string }[]>();
    expect(conversations).toHaveLength(2);
    const first = await rest('GET', '/conversations?status=open&limit=1', readKey);
    const [top] = first.json<{ id: string; cursor: string }[]>();
    expect(top?.id).toBe(conversations[0]?.id);
    const next = await rest(
      'GET',
      `/conversations?status=open&limit=1&cursor=${encodeURIComponent(top?.cursor ?? '')}`,
      readKey,
    );
    expect(next.json<{ id: string }[]>().map((c) => c.id)).toEqual([conversations[1]?.id]);
    expect((await rest('GET', '/conversations?status=resolved', readKey)).json()).toEqual([]);

    const target = conversations[0]!;
    const one = await rest('GET', `/conversations/${target.id}`, readKey);
    expect(one.statusCode).toBe(200);
    expect(one.json<{ id: string }>().id).toBe(target.id);

    const resolved = await rest('PATCH', `/conversations/${target.id}`, fullKey, {
      version: target.version,
      status: 'resolved',
    });
    expect(resolved.statusCode, resolved.body).toBe(200);
    expect(resolved.json<{ status: string }>().status).toBe('resolved');
    const stale = await rest('PATCH', `/conversations/${target.id}`, fullKey, {
      version: target.version,
      status: 'open',
    });
    expect(stale.statusCode).toBe(409);
    expect(stale.json<RestError>().error.code).toBe('CONFLICT');

    const sent = await rest('POST', '/messages', fullKey, {
      conversationId: conversations[1]?.id,
      text: 'Answered over REST',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json<{ status: string }>().status).toBe('queued');
    const messages = await rest('GET', `/messages?conversationId=${conversations[1]?.id}&limit=1`, readKey);
    expect(messages.statusCode).toBe(200);
    expect(messages.json<{ id: string }[]>()).toHaveLength(1);

    expect((await rest('GET', '/channels', readKey)).json<unknown[]>()).toHaveLength(1);
    expect((await rest('GET', '/templates', readKey)).statusCode).toBe(200);
    const log = await rest('GET', '/webhook-events?limit=5', fullKey);
    expect(log.statusCode, log.body).toBe(200);
    expect(log.json<{ events: unknown[] }>().events.length).toBeGreaterThan(0);
  });

  it('answers every failure in the one documented shape, in sentences', async () => {
    const expectError = (
      answer: { statusCode: number; body: string; json: <T>() => T },
      status: number,
      code: string,
    ) => {
      expect(answer.statusCode, answer.body).toBe(status);
      const body = answer.json<RestError>();
      expect(Object.keys(body)).toEqual(['error']);
      expect(body.error.code).toBe(code);
      expect(body.error.message).toMatch(/^[A-Z].*[.)]$/);
      expect(answer.body).not.toMatch(
        /issues|invalid_type|Input validation failed|_pkey|_fkey|_check|ZodError/,
      );
      return body.error;
    };
    const none = await parley.app.inject({ method: 'GET', url: '/api/v1/conversations' });
    expect(expectError(none, 401, 'UNAUTHORIZED').message).toContain('Bearer');
    // A browser's session cookie is not an API key.
    const cookieOnly = await parley.app.inject({
      method: 'GET',
      url: '/api/v1/conversations',
      headers: { cookie: `parley_session=${owner.token}` },
    });
    expectError(cookieOnly, 401, 'UNAUTHORIZED');
    expectError(
      await rest('GET', '/conversations', 'pk_wrongkey_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'),
      401,
      'UNAUTHORIZED',
    );
    const invalid = expectError(await rest('GET', '/conversations/not-a-uuid', readKey), 400, 'BAD_REQUEST');
    expect(invalid.fields).toHaveProperty('id');
    const badBody = expectError(
      await rest('POST', '/messages', fullKey, { conversationId: 'x', text: '' }),
      400,
      'BAD_REQUEST',
    );
    expect(Object.keys(badBody.fields ?? {})).toEqual(expect.arrayContaining(['conversationId']));
    expect(
      expectError(
        await rest('POST', '/messages', readKey, {
          conversationId: '0193a000-0000-7000-8000-000000000001',
          text: 'x',
        }),
        403,
        'FORBIDDEN',
      ).message,
    ).toContain('"write" scope');
    expectError(
      await rest('GET', '/conversations/0193a000-0000-7000-8000-000000000001', readKey),
      404,
      'NOT_FOUND',
    );
    expectError(await rest('GET', '/no-such-thing', readKey), 404, 'NOT_FOUND');
    const broken = await parley.app.inject({
      method: 'POST',
      url: '/api/v1/messages',
      headers: { authorization: `Bearer ${fullKey}`, 'content-type': 'application/json' },
      payload: '{"conversationId": ',
    });
    expectError(broken, 400, 'PARSE_ERROR');
  });
});
