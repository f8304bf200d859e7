import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { campaignParts, campaignSimulator, listAudience } from '../test/campaigns.ts';
import { setupTestDatabase } from '../test/db.ts';
import { startSendHarness, type SendHarness } from '../test/send-harness.ts';

const db = setupTestDatabase();
let h: SendHarness;
let key = '';

function rest(method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, body?: unknown) {
  return h.app.inject({
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
  h = await startSendHarness(db.url, campaignSimulator());
  key = (await h.as<{ token: string }>('apiKey.create', { name: 'crm', scopes: ['read', 'write', 'manage'] }))
    .data.token;
});
afterAll(async () => {
  await h.close();
});

describe('REST: contacts', () => {
  it('creates, reads, changes, renames and pages through contacts', async () => {
    const ids: string[] = [];
    for (const phone of ['+4915111111101', '+4915111111102', '+4915111111103']) {
      const created = await rest('POST', '/contacts', { phone, name: `Buyer ${phone.slice(-1)}` });
      expect(created.statusCode, created.body).toBe(200);
      ids.push(created.json<{ id: string }>().id);
    }
    const one = await rest('GET', `/contacts/${ids[0]}`);
    expect(one.json()).toMatchObject({ id: ids[0], name: 'Buyer 1' });

    const changed = await rest('PATCH', `/contacts/${ids[0]}`, {
      email: 'buyer@example.test',
      tags: ['vip'],
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ email: 'buyer@example.test', tags: ['vip'] });
    const renamed = await rest('PUT', `/contacts/${ids[0]}/name`, { name: 'Ada Buyer' });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ name: 'Ada Buyer' });

    const first = await rest('POST', '/contacts/search', { limit: 2 });
    expect(first.statusCode, first.body).toBe(200);
    const page1 = first.json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect(page1.items).toHaveLength(2);
    const second = await rest('POST', '/contacts/search', { limit: 2, cursor: page1.nextCursor });
    const page2 = second.json<{ items: { id: string }[]; nextCursor: string | null }>();
    expect(page2.nextCursor).toBeNull();
    expect([...page1.items, ...page2.items].map((c) => c.id).sort()).toEqual(
      expect.arrayContaining([...ids].sort()),
    );

    const invalid = await rest('PATCH', `/contacts/${ids[0]}`, { email: 'not an email' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ error: { message: string } }>().error.message).toContain('valid email');
  });
});

describe('REST: campaigns', () => {
  it('creates, lists with cursors, reads, pauses, resumes and cancels campaigns', async () => {
    const parts = await campaignParts(h);
    const segmentId = await listAudience(h, 'REST list', ['+4915122222201']);
    const ids: string[] = [];
    for (const name of ['First REST', 'Second REST']) {
      const created = await rest('POST', '/campaigns', {
        name,
        phoneNumberId: parts.phoneNumberId,
        templateId: parts.templateId,
        segmentId,
        variables: { body: { '1': { source: 'text', value: 'Ada' }, '2': { source: 'text', value: '#1' } } },
        scheduledAt: '2099-01-01T09:00',
      });
      expect(created.statusCode, created.body).toBe(200);
      ids.push(created.json<{ id: string }>().id);
    }
    const top = await rest('GET', '/campaigns?limit=1');
    expect(top.statusCode, top.body).toBe(200);
    const [newest] = top.json<{ id: string }[]>();
    expect(newest?.id).toBe(ids[1]);
    const next = await rest('GET', `/campaigns?limit=1&cursor=${newest?.id}`);
    expect(next.json<{ id: string }[]>().map((c) => c.id)).toEqual([ids[0]]);
    expect((await rest('GET', `/campaigns?limit=1&cursor=${ids[0]}`)).json()).toEqual([]);

    expect((await rest('GET', `/campaigns/${ids[0]}`)).json()).toMatchObject({
      id: ids[0],
      name: 'First REST',
    });
    const paused = await rest('POST', `/campaigns/${ids[0]}/pause`);
    expect(paused.statusCode, paused.body).toBe(200);
    expect(paused.json()).toMatchObject({ status: 'paused' });
    const resumed = await rest('POST', `/campaigns/${ids[0]}/resume`);
    expect(resumed.statusCode, resumed.body).toBe(200);
    const cancelled = await rest('POST', `/campaigns/${ids[0]}/cancel`);
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(cancelled.json()).toMatchObject({ status: 'cancelled' });
    const report = await rest('GET', `/campaigns/${ids[0]}/report`);
    expect(report.statusCode, report.body).toBe(200);

    const missing = await rest('GET', '/campaigns/01a23333-0000-7000-8000-000000000000');
    expect(missing.statusCode).toBe(404);
    const invalid = await rest('POST', '/campaigns', { name: '' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json<{ error: { message: string } }>().error.message).not.toMatch(/invalid_type|Expected/);
  });
});
