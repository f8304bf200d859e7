import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { setupTestApp } from '../test/app.ts';
import { connectTestChannel, postWebhook, processed, webhookFixture } from '../test/channels.ts';
import { call, type ProcedurePath } from '../test/http-client.ts';

/**
 * One schema per query: a typed query names its columns as the procedure's output does (`wa_id as
 * "waId"`, nested shapes built with json_build_object), so rows reach the client without a mapper.
 * Here every list a page reads is checked to carry camelCase keys only, nested ones included.
 */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;

beforeAll(async () => {
  const { app } = parley;
  owner = await signUpViaHttp(app, { workspaceName: 'Shapes' });
  const channel = await connectTestChannel(app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  await postWebhook(app, channel, webhookFixture('text.json'));
  // The fixture's reaction is to one of our replies; aim it at the customer's text instead.
  const reaction = webhookFixture('reaction.json')
    .toString()
    .replace(
      'wamid.HBgLMTU1NTAxMjM0NTYVAgARGBJPVVRCT1VORDAwMDAwMDAxAA==',
      'wamid.HBgLMTU1NTAxMjM0NTYVAgASGBQzRUIw000000000001AA==',
    );
  await postWebhook(app, channel, reaction);
  await processed(app);
  await call(
    app,
    'mutation',
    'invitation.create',
    { email: 'shape@example.test', role: 'agent' },
    {
      cookie: owner.token,
    },
  );
  await call(app, 'mutation', 'apiKey.create', { name: 'Shapes', scopes: ['read'] }, { cookie: owner.token });
});

/** Keys anywhere in `value`, except inside Meta's own payloads (stored as Meta sent them). */
function keysOf(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) keysOf(item, into);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      into.push(key);
      if (key !== 'content' && key !== 'payload') keysOf(inner, into);
    }
  }
  return into;
}

describe('procedure outputs', () => {
  it('are camelCase throughout, with nested shapes and ISO timestamps built by the query', async () => {
    const get = async (path: ProcedurePath, input?: unknown) => {
      const result = await call(parley.app, 'query', path, input, { cookie: owner.token });
      expect(result.status, `${path}: ${JSON.stringify(result.error)}`).toBe(200);
      return result.data;
    };
    const conversations = (await get('conversation.list', {})) as { id: string; contact: object }[];
    expect(conversations).toHaveLength(1);
    expect(Object.keys(conversations[0]?.contact ?? {}).sort()).toEqual(['bsuid', 'id', 'name', 'waId']);
    const messages = (await get('message.list', { conversationId: conversations[0]?.id })) as {
      reactions: { reactedAt: string }[];
    }[];
    const reaction = messages.flatMap((message) => message.reactions)[0];
    expect(reaction?.reactedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const outputs = [
      conversations,
      messages,
      await get('auth.me'),
      await get('tenant.list'),
      await get('tenant.current'),
      await get('channel.list'),
      await get('member.list'),
      await get('invitation.list'),
      await get('apiKey.list'),
      await get('webhook.list', {}),
    ];
    const keys = new Set(outputs.flatMap((output) => keysOf(output)));
    expect([...keys].filter((key) => !/^[a-z][a-zA-Z0-9]*$/.test(key))).toEqual([]);
    expect(keys).toContain('phoneNumbers');
    expect(keys).toContain('seatsUsed');
  });
});
