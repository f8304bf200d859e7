import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { buildTestApp, setupTestApp } from '../../test/app.ts';
import { eventually } from '../../test/eventually.ts';
import { call, type ProcedurePath } from '../../test/http-client.ts';
import type { ChannelView } from './schemas.ts';

const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let channel: ChannelView;
const maya = { waId: '15550123456', name: 'Maya Lindqvist' };

interface Conversation {
  id: string;
  contact: { waId: string | null; name: string | null };
}
interface Message {
  id: string;
  wamid: string | null;
  direction: string;
  type: string;
  body: string | null;
  status: string;
}
interface Thread {
  fromBusiness: { wamid: string; preview: string; status: string | null; reaction: string | null }[];
  fromCustomer: { wamid: string; type: string; readAt: string | null }[];
  businessTypingSince: string | null;
}

const as = (path: ProcedurePath, input?: unknown, kind: 'query' | 'mutation' = 'mutation') =>
  call(parley.app, kind, path, input, { cookie: owner.token });

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop' });
});

async function conversationOf(waId: string) {
  return eventually(async () => {
    const list = await as('conversation.list', {}, 'query');
    return (list.data as Conversation[]).find((c) => c.contact.waId === waId);
  }, `a conversation with ${waId}`);
}

async function messagesOf(conversationId: string) {
  return (await as('message.list', { conversationId }, 'query')).data as Message[];
}

describe('Try the sandbox', () => {
  it('gives the workspace a simulator-backed channel with its number, in one call, once', async () => {
    const started = await as('channel.trySandbox');
    expect(started.status, JSON.stringify(started.error)).toBe(200);
    channel = started.data as ChannelView;
    expect(channel).toMatchObject({
      name: 'Sandbox',
      isSandbox: true,
      status: 'active',
      sendReadReceipts: true,
    });
    expect(channel.graphApiBaseUrl).toBe('/sandbox/graph');
    expect(channel.phoneNumbers).toHaveLength(1);
    expect(channel.phoneNumbers[0]!.displayPhoneNumber).toMatch(/^\+1 555-/);
    const again = await as('channel.trySandbox');
    expect((again.data as ChannelView).id).toBe(channel.id);
    // A customer is already writing: the inbox is not empty.
    const conversation = await conversationOf(maya.waId);
    const [first] = await eventually(async () => {
      const all = await messagesOf(conversation.id);
      return all.length ? all : undefined;
    }, 'the first customer message');
    expect(first?.body).toBe('Hi! Is the blue jacket still in stock?');
  });

  it('the customer writes every inbound type and each lands in the inbox', async () => {
    const messages = [
      { type: 'text', text: 'Is the blue jacket in stock?' },
      { type: 'image', caption: 'This one' },
      { type: 'document', filename: 'order.pdf' },
      { type: 'location', latitude: 59.33, longitude: 18.06, name: 'Stockholm store' },
      { type: 'contacts', name: 'Lars Lindqvist', phone: '+46 70 123 45 67' },
      { type: 'interactive', id: 'size-m', title: 'Size M' },
    ];
    for (const message of messages) {
      const sent = await as('channel.sandboxCustomerSends', {
        channelId: channel.id,
        customer: maya,
        message,
      });
      expect(sent.status, JSON.stringify(sent.error)).toBe(200);
    }
    const conversation = await conversationOf(maya.waId);
    expect(conversation.contact.name).toBe('Maya Lindqvist');
    const stored = await eventually(async () => {
      const all = await messagesOf(conversation.id);
      return all.length >= messages.length + 1 ? all : undefined;
    }, 'all six messages');
    expect([...new Set(stored.map((m) => m.type))].sort()).toEqual([
      'contacts',
      'document',
      'image',
      'interactive',
      'location',
      'text',
    ]);
  });

  it('a reply goes sent → delivered → read on the customer’s side, who reacts to it', async () => {
    const conversation = await conversationOf(maya.waId);
    const reply = await as('message.send', {
      conversationId: conversation.id,
      text: 'Yes! Blue, in M and L.',
    });
    expect(reply.status, JSON.stringify(reply.error)).toBe(200);
    const thread = async () =>
      (await as('channel.sandboxThread', { channelId: channel.id, waId: maya.waId }, 'query')).data as Thread;
    const read = await eventually(async () => {
      const found = (await thread()).fromBusiness.find((m) => m.preview === 'Yes! Blue, in M and L.');
      return found?.status === 'read' ? found : undefined;
    }, 'the reply read by the customer');
    const inParley = await eventually(async () => {
      const found = (await messagesOf(conversation.id)).find((m) => m.body === 'Yes! Blue, in M and L.');
      return found?.status === 'read' ? found : undefined;
    }, 'the read status in Parley');
    expect(inParley.wamid).toBe(read.wamid);

    const reacted = await as('channel.sandboxCustomerSends', {
      channelId: channel.id,
      customer: maya,
      message: { type: 'reaction', messageWamid: read.wamid, emoji: '👍' },
    });
    expect(reacted.status).toBe(200);
    expect((await thread()).fromBusiness.find((m) => m.wamid === read.wamid)?.reaction).toBe('👍');
    // …and the agent sees it under their reply.
    await eventually(async () => {
      const mine = (await messagesOf(conversation.id)).find((m) => m.wamid === read.wamid) as
        { reactions?: { emoji: string }[] } | undefined;
      return mine?.reactions?.some((r) => r.emoji === '👍') ? true : undefined;
    }, 'the reaction on the agent’s reply');
  }, 20_000);

  it('opening the conversation sends a read receipt: the customer sees their messages read', async () => {
    const conversation = await conversationOf(maya.waId);
    await as('channel.sandboxCustomerSends', {
      channelId: channel.id,
      customer: maya,
      message: { type: 'text', text: 'Great, I will come by.' },
    });
    await eventually(async () => {
      const list = (await as('conversation.list', {}, 'query')).data as (Conversation & {
        unreadCount: number;
      })[];
      return list.find((c) => c.id === conversation.id && c.unreadCount > 0);
    }, 'the new message unread');
    expect((await as('conversation.markRead', { id: conversation.id })).status).toBe(200);
    const thread = await eventually(async () => {
      const current = (await as('channel.sandboxThread', { channelId: channel.id, waId: maya.waId }, 'query'))
        .data as Thread;
      return current.fromCustomer.every((m) => m.readAt) ? current : undefined;
    }, 'the customer’s messages marked read');
    expect(thread.fromCustomer.length).toBeGreaterThan(6);
  });

  it('mark as read with the typing indicator: the customer sees the business typing', async () => {
    const conversation = await conversationOf(maya.waId);
    await as('channel.sandboxCustomerSends', {
      channelId: channel.id,
      customer: maya,
      message: { type: 'text', text: 'Do you have it in green?' },
    });
    await eventually(async () => {
      const list = (await as('conversation.list', {}, 'query')).data as (Conversation & {
        unreadCount: number;
      })[];
      return list.find((c) => c.id === conversation.id && c.unreadCount > 0);
    }, 'the new message unread');
    const marked = await as('message.markRead', { conversationId: conversation.id, typing: true });
    expect(marked.status, JSON.stringify(marked.error)).toBe(200);
    const thread = await eventually(async () => {
      const current = (await as('channel.sandboxThread', { channelId: channel.id, waId: maya.waId }, 'query'))
        .data as Thread;
      return current.businessTypingSince ? current : undefined;
    }, 'the customer to see the business typing');
    expect(thread.fromCustomer.every((m) => m.readAt)).toBe(true);
  });

  it('sends no read receipt when the channel has them switched off', async () => {
    const conversation = await conversationOf(maya.waId);
    expect((await as('channel.setReadReceipts', { channelId: channel.id, enabled: false })).status).toBe(200);
    const { data } = await as('channel.sandboxCustomerSends', {
      channelId: channel.id,
      customer: maya,
      message: { type: 'text', text: 'Are you open on Sunday?' },
    });
    const wamid = (data as { wamid: string }).wamid;
    await eventually(async () => {
      const all = await messagesOf(conversation.id);
      return all.find((m) => m.wamid === wamid);
    }, 'the message stored');
    expect((await as('conversation.markRead', { id: conversation.id })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const thread = (await as('channel.sandboxThread', { channelId: channel.id, waId: maya.waId }, 'query'))
      .data as Thread;
    expect(thread.fromCustomer.find((m) => m.wamid === wamid)?.readAt).toBeNull();
    await as('channel.setReadReceipts', { channelId: channel.id, enabled: true });
  });

  it('counts webhook POSTs with a bad signature on the channel card', async () => {
    const key = channel.webhookUrl.split('/').at(-1)!;
    for (let i = 0; i < 2; i++) {
      const refused = await parley.app.inject({
        method: 'POST',
        url: `/webhooks/whatsapp/${key}`,
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
        payload: '{"object":"whatsapp_business_account","entry":[]}',
      });
      expect(refused.statusCode).toBe(401);
    }
    const counted = await eventually(
      async () => {
        const list = (await as('channel.list', undefined, 'query')).data as ChannelView[];
        const card = list.find((c) => c.id === channel.id);
        return card && card.rejectedSignatures.count >= 2 ? card : undefined;
      },
      'the rejected signatures counted',
      12_000,
    );
    expect(counted.rejectedSignatures.count).toBe(2);
    expect(counted.rejectedSignatures.lastAt).not.toBeNull();
  }, 15_000);

  it('a restarted server gives its simulator back the workspace’s sandbox', async () => {
    const restarted = await buildTestApp(parley.db.url);
    try {
      // The WABA is known again (with the hello_world template Meta seeds), before anyone uses it.
      expect(restarted.services.sandbox!.simulator.templates(channel.wabaId)).toHaveLength(1);
    } finally {
      await restarted.close();
    }
  });

  it('is off when SANDBOX=off, and says how to turn it on', async () => {
    const off = await buildTestApp(parley.db.url, { env: { SANDBOX: 'off' } });
    try {
      const result = await call(off, 'mutation', 'channel.trySandbox', undefined, { cookie: owner.token });
      expect(result.status).toBe(412);
      expect(result.error?.message).toContain('SANDBOX=on');
    } finally {
      await off.close();
    }
  });
});
