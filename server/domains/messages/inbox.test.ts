import { sql } from 'slonik';
import { z } from 'zod';
import { beforeAll, describe, expect, it } from 'vitest';
import { withTenant } from '../../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import {
  connectTestChannel,
  customerSends as sendAsCustomer,
  type TestChannel,
} from '../../test/channels.ts';
import { call } from '../../test/http-client.ts';
import { inboxPage } from '../conversations/inbox-queries.ts';
import { messagePage } from './queries.ts';

/** The inbox as an agent reads it: reactions on their messages, and every message and conversation reachable by paging. */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let channel: TestChannel;

interface Message {
  id: string;
  wamid: string | null;
  body: string | null;
  reactions: { emoji: string }[];
}
interface Conversation {
  id: string;
  cursor: string;
  status: string;
  contact: { waId: string | null };
}

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop' });
  channel = await connectTestChannel(parley.app, owner.tenantId, {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  });
});

/** A customer writes `messages` to the workspace's number (processed before it returns). */
const customerSends = (from: string, messages: object[]) =>
  sendAsCustomer(parley.app, channel, from, messages);

const text = (id: string, timestamp: number, body: string) => ({
  id,
  timestamp: String(timestamp),
  type: 'text',
  text: { body },
});
const reaction = (id: string, timestamp: number, messageId: string, emoji: string) => ({
  id,
  timestamp: String(timestamp),
  type: 'reaction',
  reaction: { message_id: messageId, emoji },
});

const conversations = async (input: object) => {
  const result = await call<Conversation[]>(parley.app, 'query', 'conversation.list', input, {
    cookie: owner.token,
  });
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  return result.data;
};
const messages = async (input: object) => {
  const result = await call<Message[]>(parley.app, 'query', 'message.list', input, { cookie: owner.token });
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  return result.data;
};
const conversationOf = async (waId: string) => {
  const found = (await conversations({ limit: 200 })).find((c) => c.contact.waId === waId);
  if (!found) throw new Error(`no conversation with ${waId}`);
  return found;
};

describe('reactions', () => {
  it('are returned with message.list, on the message they react to', async () => {
    await customerSends('15550000001', [text('wamid.r1', 1_763_985_000, 'Love the jacket')]);
    await customerSends('15550000001', [reaction('wamid.r1-like', 1_763_985_010, 'wamid.r1', '👍')]);
    const { id } = await conversationOf('15550000001');
    const [message] = await messages({ conversationId: id });
    expect(message).toMatchObject({ wamid: 'wamid.r1', reactions: [{ emoji: '👍' }] });
  });

  it('keep the latest by timestamp per reactor, whatever order Meta delivers them in', async () => {
    await customerSends('15550000002', [text('wamid.r2', 1_763_985_000, 'Hello')]);
    // The customer reacted ❤️, then changed it to 😮; Meta delivers the change first.
    await customerSends('15550000002', [reaction('wamid.r2-b', 1_763_985_020, 'wamid.r2', '😮')]);
    await customerSends('15550000002', [reaction('wamid.r2-a', 1_763_985_010, 'wamid.r2', '❤️')]);
    const { id } = await conversationOf('15550000002');
    expect((await messages({ conversationId: id }))[0]?.reactions).toEqual([
      expect.objectContaining({ emoji: '😮' }),
    ]);
  });

  it('stay removed when the removal arrives before the older reaction it removes', async () => {
    await customerSends('15550000003', [text('wamid.r3', 1_763_985_000, 'Hi')]);
    await customerSends('15550000003', [reaction('wamid.r3-off', 1_763_985_020, 'wamid.r3', '')]);
    await customerSends('15550000003', [reaction('wamid.r3-on', 1_763_985_010, 'wamid.r3', '👍')]);
    const { id } = await conversationOf('15550000003');
    expect((await messages({ conversationId: id }))[0]?.reactions).toEqual([]);
    // …and a reaction newer than the removal shows again.
    await customerSends('15550000003', [reaction('wamid.r3-again', 1_763_985_030, 'wamid.r3', '🙏')]);
    expect((await messages({ conversationId: id }))[0]?.reactions).toEqual([
      expect.objectContaining({ emoji: '🙏' }),
    ]);
  });
});

describe('paging', () => {
  it('reaches every message of a long thread, newest first, each once', async () => {
    const start = 1_763_990_000;
    // Two messages share each second, so the id breaks ties.
    const sent = Array.from({ length: 120 }, (_, i) =>
      text(`wamid.long-${String(i).padStart(3, '0')}`, start + Math.floor(i / 2), `message ${i}`),
    );
    await customerSends('15550000010', sent);
    const { id } = await conversationOf('15550000010');

    const first = await messages({ conversationId: id });
    expect(first).toHaveLength(50);
    expect(first[0]?.body).toBe('message 119');

    const seen: string[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await messages({ conversationId: id, limit: 50, ...(cursor ? { cursor } : {}) });
      seen.push(...page.map((m) => m.body ?? ''));
      if (page.length < 50) break;
      cursor = page.at(-1)?.id;
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    expect(seen.at(-1)).toBe('message 0');
  });

  it('reaches every conversation of a long inbox, and pages within a status tab', async () => {
    for (let i = 0; i < 60; i++) {
      await customerSends(`1555100${String(i).padStart(4, '0')}`, [
        text(`wamid.inbox-${i}`, 1_764_000_000 + i, `hello ${i}`),
      ]);
    }
    await withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
      tx.query(sql.unsafe`
        update app_public.conversations c set status = 'resolved'
        from app_public.contacts k
        where k.id = c.contact_id and k.wa_id like '1555100%' and right(k.wa_id, 1) in ('0', '5')
      `),
    );
    const walk = async (filter: object) => {
      const ids: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const page = await conversations({ ...filter, limit: 25, ...(cursor ? { cursor } : {}) });
        ids.push(...page.map((c) => c.id));
        if (page.length < 25) return ids;
        cursor = page.at(-1)?.cursor;
      }
    };
    const all = await walk({});
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(new Set(all).size).toBe(all.length);
    expect(await conversations({})).toHaveLength(50);

    const resolved = await walk({ status: 'resolved' });
    expect(resolved).toHaveLength(12);
    const firstResolved = await conversations({ status: 'resolved', limit: 5 });
    expect(firstResolved.every((c) => c.status === 'resolved')).toBe(true);
  });

  it('is served by the inbox indexes, in order, without sorting', async () => {
    await customerSends('15550000099', [
      text('wamid.plan-1', 1_764_100_000, 'one'),
      text('wamid.plan-2', 1_764_100_001, 'two'),
    ]);
    const conversation = await conversationOf('15550000099');
    const [last] = await messages({ conversationId: conversation.id, limit: 1 });
    const [top] = await conversations({ limit: 1 });
    const plans = await withTenant(parley.app.services.pools.app, owner.tenantId, async (tx) => {
      // These tables are tiny here; forbid sequential scans so the plan shows what an index can serve.
      await tx.query(sql.unsafe`set local enable_seqscan = off`);
      const plan = async (query: ReturnType<typeof messagePage> | ReturnType<typeof inboxPage>) =>
        (await tx.anyFirst(sql.type(z.object({ 'QUERY PLAN': z.string() }))`explain ${query}`)).join('\n');
      return {
        messages: await plan(messagePage({ conversationId: conversation.id, cursor: last?.id, limit: 50 })),
        inbox: await plan(inboxPage({ limit: 50, cursor: top?.cursor, userId: owner.userId })),
        tab: await plan(inboxPage({ status: 'open', limit: 50, cursor: top?.cursor, userId: owner.userId })),
      };
    });
    expect(plans.messages).toMatch(/Index Scan using messages_conversation_idx/);
    expect(plans.inbox).toMatch(/Index Scan using conversations_inbox_idx/);
    // On a few rows the planner may equally walk the inbox index and filter by status; either way the
    // tab is served in order by an index, never sorted (the status index exists for large inboxes).
    expect(plans.tab).toMatch(/Index Scan using conversations_(status_)?inbox_idx/);
    // The pages come out of the index in order (a reaction list may sort its own few rows).
    for (const text of Object.values(plans)) {
      expect(text, text).not.toMatch(/Sort Key: [mc]\.(occurred_at|last_message_at)/);
    }
  });
});
