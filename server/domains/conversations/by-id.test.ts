import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { connectTestChannel, customerSends } from '../../test/channels.ts';
import { call } from '../../test/http-client.ts';

/**
 * A link to /inbox/:conversationId opens the conversation wherever it sits in the list: the client
 * asks conversation.byId instead of paging the list until it comes by.
 */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let stranger: SignedUp;

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop' });
  stranger = await signUpViaHttp(parley.app, { workspaceName: 'Elsewhere Ltd' });
  const channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
  for (const [index, from] of ['15550000001', '15550000002', '15550000003'].entries()) {
    await customerSends(parley.app, channel, from, [
      {
        id: `wamid.by-id-${from}`,
        timestamp: String(Math.floor(Date.now() / 1000) - 60 * (3 - index)),
        type: 'text',
        text: { body: `Hello from ${from}` },
      },
    ]);
  }
});

describe('conversation.byId', () => {
  it('answers a conversation beyond the first page of the list, as the list shows it', async () => {
    const all = await call(parley.app, 'query', 'conversation.list', {}, { cookie: owner.token });
    expect(all.data).toHaveLength(3);
    const firstPage = await call(
      parley.app,
      'query',
      'conversation.list',
      { limit: 1 },
      { cookie: owner.token },
    );
    const oldest = all.data.at(-1);
    expect(firstPage.data.map((c) => c.id)).not.toContain(oldest?.id);

    const found = await call(
      parley.app,
      'query',
      'conversation.byId',
      { id: oldest?.id },
      { cookie: owner.token },
    );

    expect(found.status).toBe(200);
    expect(found.data).toEqual(oldest);
  });

  it('finds no conversation of another workspace, nor one that does not exist', async () => {
    const [mine] = (await call(parley.app, 'query', 'conversation.list', {}, { cookie: owner.token })).data;
    const theirs = await call(
      parley.app,
      'query',
      'conversation.byId',
      { id: mine?.id },
      { cookie: stranger.token },
    );
    expect(theirs.status).toBe(404);
    expect(theirs.error?.message).toBe('No such conversation.');
    const unknown = await call(
      parley.app,
      'query',
      'conversation.byId',
      { id: '01900000-0000-7000-8000-000000000000' },
      { cookie: owner.token },
    );
    expect(unknown.status).toBe(404);
  });
});
