import { sql } from 'slonik';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { withTenant } from '../../db/tx.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { connectTestChannel, postWebhook, processed, type TestChannel } from '../../test/channels.ts';
import { call, type OutputOf } from '../../test/http-client.ts';

/**
 * Finding things in a busy inbox: the filters and their tab counts, paging that holds still while
 * conversations arrive, search by a word or part of a number, and read state kept per member.
 */
const parley = setupTestApp({ workers: true });
let owner: SignedUp;
let ana: SignedUp;
let ben: SignedUp;
type Channel = TestChannel & { wabaId: string; phoneNumberId: string; displayPhoneNumber: string };
let channel: Channel;
let other: SignedUp;
let otherChannel: Channel;
let teamId = '';
let vipId = '';
type Listed = OutputOf<'conversation.list'>[number];
const byWaId: Record<string, Listed> = {};

async function invite(email: string, displayName: string) {
  const created = await call<{ link: string }>(
    parley.app,
    'mutation',
    'invitation.create',
    { email, role: 'agent' },
    { cookie: owner.token },
  );
  return signUpViaHttp(parley.app, {
    invitationToken: created.data.link.split('/invite/')[1] ?? '',
    displayName,
  });
}

let sequence = 0;
/** Customer `from` (named `name`) writes `texts` to `to` (a signed webhook, processed by the real job). */
async function customerWrites(to: Channel, from: string, name: string, ...texts: string[]) {
  const at = Math.floor(Date.now() / 1000);
  const body = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: to.wabaId,
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: to.displayPhoneNumber, phone_number_id: to.phoneNumberId },
              contacts: [{ profile: { name }, wa_id: from }],
              messages: texts.map((text) => ({
                from,
                id: `wamid.finding-${(sequence += 1)}`,
                timestamp: String(at),
                type: 'text',
                text: { body: text },
              })),
            },
          },
        ],
      },
    ],
  });
  const response = await postWebhook(parley.app, to, body);
  expect(response.statusCode, response.body).toBe(200);
  await processed(parley.app);
}

const list = async (who: SignedUp, input: object = {}) =>
  (await call(parley.app, 'query', 'conversation.list', { limit: 200, ...input }, { cookie: who.token }))
    .data;
const names = async (who: SignedUp, input: object = {}) =>
  (await list(who, input)).map((c) => c.contact.name).sort();

beforeAll(async () => {
  owner = await signUpViaHttp(parley.app, { workspaceName: 'Jacket Shop', displayName: 'Olga Owner' });
  ana = await invite('ana@example.test', 'Ana Agent');
  ben = await invite('ben@example.test', 'Ben Agent');
  const ours = {
    wabaId: '310000000000001',
    phoneNumberId: '420000000000001',
    displayPhoneNumber: '15550101010',
  };
  channel = { ...(await connectTestChannel(parley.app, owner.tenantId, ours)), ...ours };
  other = await signUpViaHttp(parley.app, { workspaceName: 'Other Shop' });
  const theirs = {
    wabaId: '310000000000002',
    phoneNumberId: '420000000000002',
    displayPhoneNumber: '15550102020',
  };
  otherChannel = { ...(await connectTestChannel(parley.app, other.tenantId, theirs)), ...theirs };

  await customerWrites(channel, '15551234567', 'Maya Lindqvist', 'Where is my blue jacket?');
  await customerWrites(channel, '4915700001111', 'Jonas Berg', 'Quero devolver os pedidos de ontem');
  await customerWrites(channel, '8613800002222', 'Li Wei', 'Refund please');
  await customerWrites(channel, '351910003333', 'Sara Costa', 'hello');
  // The other workspace has a customer who says the same words, with a similar number.
  await customerWrites(otherChannel, '15551239999', 'Maya Lindqvist', 'My blue jacket never came');
  for (const c of await list(owner)) byWaId[c.contact.waId ?? ''] = c;

  const team = await call(
    parley.app,
    'mutation',
    'team.create',
    { name: 'Billing' },
    { cookie: owner.token },
  );
  teamId = team.data.id;
  const vip = await call(
    parley.app,
    'mutation',
    'label.create',
    { name: 'VIP', color: 'grape' },
    { cookie: owner.token },
  );
  vipId = vip.data.id;
  const maya = byWaId['15551234567'];
  const jonas = byWaId['4915700001111'];
  const li = byWaId['8613800002222'];
  const sara = byWaId['351910003333'];
  const change = async (procedure: 'conversation.assign' | 'conversation.setStatus', input: object) => {
    const result = await call(parley.app, 'mutation', procedure, input, { cookie: owner.token });
    expect(result.status, JSON.stringify(result.error)).toBe(200);
    return result.data as { version: number };
  };
  await change('conversation.assign', { id: maya?.id, version: maya?.version, userId: ana.userId });
  const j = await change('conversation.assign', {
    id: jonas?.id,
    version: jonas?.version,
    userId: null,
    teamId,
  });
  await change('conversation.setStatus', { id: jonas?.id, version: j.version, status: 'pending' });
  await change('conversation.setStatus', { id: li?.id, version: li?.version, status: 'resolved' });
  const s = await change('conversation.assign', { id: sara?.id, version: sara?.version, userId: ben.userId });
  await change('conversation.setStatus', {
    id: sara?.id,
    version: s.version,
    status: 'snoozed',
    snoozedUntil: new Date(Date.now() + 86_400_000).toISOString(),
  });
  for (const c of [maya, li]) {
    await call(
      parley.app,
      'mutation',
      'label.attach',
      { conversationId: c?.id, labelId: vipId },
      { cookie: owner.token },
    );
  }
  // Sara wrote two days ago: her 24-hour window is closed.
  await withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
    tx.query(sql.unsafe`update app_public.conversations set last_inbound_at = now() - interval '2 days'
                        where id = ${sara?.id ?? ''}`),
  );
});

describe('the inbox filters', () => {
  it('narrow by status tab, assignee, team, member, label, number and window', async () => {
    expect(await names(ana)).toEqual(['Jonas Berg', 'Li Wei', 'Maya Lindqvist', 'Sara Costa']);
    expect(await names(ana, { status: 'open' })).toEqual(['Maya Lindqvist']);
    expect(await names(ana, { status: 'pending' })).toEqual(['Jonas Berg']);
    expect(await names(ana, { status: 'resolved' })).toEqual(['Li Wei']);
    expect(await names(ana, { status: 'snoozed' })).toEqual(['Sara Costa']);
    expect(await names(ana, { assignee: 'me' })).toEqual(['Maya Lindqvist']);
    expect(await names(ben, { assignee: 'me' })).toEqual(['Sara Costa']);
    expect(await names(ana, { assignee: 'unassigned' })).toEqual(['Li Wei']);
    expect(await names(ana, { teamId })).toEqual(['Jonas Berg']);
    expect(await names(ana, { assignedUserId: ben.userId })).toEqual(['Sara Costa']);
    expect(await names(ana, { labelId: vipId })).toEqual(['Li Wei', 'Maya Lindqvist']);
    expect(await names(ana, { labelId: vipId, status: 'open' })).toEqual(['Maya Lindqvist']);
    expect(await names(ana, { phoneNumberId: '420000000000001' })).toHaveLength(4);
    expect(await names(ana, { phoneNumberId: '420000000000002' })).toEqual([]);
    expect(await names(ana, { window: 'closed' })).toEqual(['Sara Costa']);
    expect(await names(ana, { window: 'open' })).toEqual(['Jonas Berg', 'Li Wei', 'Maya Lindqvist']);
  });

  it('count each tab under the other filters, with the caller’s unread conversations', async () => {
    const counts = await call(parley.app, 'query', 'conversation.counts', {}, { cookie: ana.token });
    expect(counts.data).toMatchObject({
      open: { total: 1, unread: 1 },
      pending: { total: 1, unread: 1 },
      snoozed: { total: 1, unread: 1 },
      resolved: { total: 1, unread: 1 },
      all: { total: 4, unread: 4 },
    });
    const vip = await call(
      parley.app,
      'query',
      'conversation.counts',
      { labelId: vipId },
      { cookie: ana.token },
    );
    expect(vip.data).toMatchObject({ open: { total: 1 }, resolved: { total: 1 }, all: { total: 2 } });
    const mine = await call(
      parley.app,
      'query',
      'conversation.counts',
      { assignee: 'me' },
      { cookie: ben.token },
    );
    expect(mine.data).toMatchObject({ snoozed: { total: 1 }, all: { total: 1 }, open: { total: 0 } });
  });

  it('refuse what is not a filter with a clear message', async () => {
    const bad = await call(
      parley.app,
      'query',
      'conversation.list',
      { cursor: 'not-a-cursor' },
      { cookie: ana.token },
    );
    expect(bad).toMatchObject({ status: 400 });
    expect(bad.error?.message).toContain('Cursor is not one this list gave.');
    const window = await call(
      parley.app,
      'query',
      'conversation.list',
      { window: 'ajar' },
      { cookie: ana.token },
    );
    expect(window.status).toBe(400);
  });
});

describe('keyset paging', () => {
  it('neither repeats nor skips while newer conversations arrive and a seen one moves to the top', async () => {
    // 40 more conversations, oldest first, written straight to the tables.
    await withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
      tx.query(sql.unsafe`
        with k as (
          insert into app_public.contacts (tenant_id, wa_id, profile_name)
          select app_public.current_tenant_id(), '4400000' || lpad(g::text, 4, '0'), 'Pager ' || g
          from generate_series(1, 40) g returning id, profile_name
        )
        insert into app_public.conversations (tenant_id, phone_number_id, contact_id, last_message_at, last_message_preview)
        select app_public.current_tenant_id(), (select id from app_public.phone_numbers limit 1), k.id,
               now() - interval '1 hour' + (substring(k.profile_name from 7)::int * interval '1 second'), 'page me'
        from k`),
    );
    const before = (await list(ana)).map((c) => c.id);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; ; page++) {
      const rows = await list(ana, { limit: 7, ...(cursor ? { cursor } : {}) });
      seen.push(...rows.map((c) => c.id));
      if (rows.length < 7) break;
      cursor = rows.at(-1)?.cursor;
      // Meanwhile: a new customer writes (a new conversation at the top), and one already seen moves up.
      await customerWrites(channel, `4477000000${page}`, `Newcomer ${page}`, 'hi');
      if (page === 1) await customerWrites(channel, '15551234567', 'Maya Lindqvist', 'Any news?');
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);
  });

  it('pages a label newest first, and a labelled conversation a customer writes to moves to its top', async () => {
    const attach = (conversationId: string | undefined) =>
      call(
        parley.app,
        'mutation',
        'label.attach',
        { conversationId, labelId: vipId },
        { cookie: owner.token },
      );
    const pagers = (await list(ana)).filter((c) => c.contact.name?.startsWith('Pager '));
    for (const c of pagers.slice(0, 12)) await attach(c.id);
    const walk = async () => {
      const seen: Listed[] = [];
      let cursor: string | undefined;
      for (;;) {
        const rows = await list(ana, { labelId: vipId, limit: 5, ...(cursor ? { cursor } : {}) });
        seen.push(...rows);
        if (rows.length < 5) return seen;
        cursor = rows.at(-1)?.cursor;
      }
    };
    const before = await walk();
    expect(before.map((c) => c.id)).toEqual(
      (await list(ana)).filter((c) => c.labelIds.includes(vipId)).map((c) => c.id),
    );
    expect(before).toHaveLength(14);
    // The label's oldest conversation hears from its customer: first in the label's list, as in the inbox.
    const oldest = before.at(-1);
    await customerWrites(channel, oldest?.contact.waId ?? '', oldest?.contact.name ?? '', 'Still there?');
    const after = await walk();
    expect(after[0]?.id).toBe(oldest?.id);
    expect(after.map((c) => c.id).sort()).toEqual(before.map((c) => c.id).sort());
  });

  it('keeps each label row at its conversation’s position while labels and messages arrive together', async () => {
    const others = (await list(ana)).filter((c) => c.contact.name?.startsWith('Newcomer ')).slice(0, 4);
    await Promise.all(
      others.flatMap((c) => [
        call(
          parley.app,
          'mutation',
          'label.attach',
          { conversationId: c.id, labelId: vipId },
          { cookie: owner.token },
        ),
        customerWrites(channel, c.contact.waId ?? '', c.contact.name ?? '', 'one more thing'),
      ]),
    );
    const drift = await withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
      tx.anyFirst(sql.type(z.object({ id: z.string() }))`
        select x.conversation_id as id from app_public.conversation_labels x
        join app_public.conversations c on c.id = x.conversation_id
        where x.last_message_at is distinct from c.last_message_at`),
    );
    expect(drift).toEqual([]);
    const labelled = await list(ana, { labelId: vipId });
    expect(
      labelled
        .slice(0, 4)
        .map((c) => c.id)
        .sort(),
    ).toEqual(others.map((c) => c.id).sort());
  });

  it('walks each filtered tab with an index led by tenant_id, never sorting the tab', async () => {
    const plans = await withTenant(parley.app.services.pools.app, owner.tenantId, async (tx) => {
      await tx.query(sql.unsafe`set local enable_seqscan = off`);
      const plan = async (filters: object) => {
        const { inboxPage } = await import('./inbox-queries.ts');
        return (
          await tx.anyFirst(
            sql.type(z.object({ 'QUERY PLAN': z.string() }))`explain ${inboxPage({
              limit: 50,
              userId: ana.userId,
              ...filters,
            })}`,
          )
        ).join('\n');
      };
      return {
        me: await plan({ assignee: 'me', status: 'open' }),
        team: await plan({ teamId, status: 'open' }),
        unassigned: await plan({ assignee: 'unassigned', status: 'open' }),
        number: await plan({ phoneNumberId: '420000000000001', status: 'open' }),
        unread: await plan({ unread: true, status: 'open' }),
        label: await plan({ labelId: vipId }),
      };
    });
    expect(plans.me).toMatch(/conversations_assignee_idx/);
    expect(plans.team).toMatch(/conversations_team_idx/);
    expect(plans.unassigned).toMatch(/conversations_(unassigned|status_inbox)_idx/);
    expect(plans.number).toMatch(/conversations_number_idx/);
    expect(plans.unread).toMatch(/conversations_(unread|status_inbox)_idx/);
    expect(plans.label).toMatch(/conversation_labels_inbox_idx/);
    for (const text of Object.values(plans)) expect(text, text).not.toMatch(/Sort Key: c\.last_message_at/);
  });
});

describe('search', () => {
  const search = async (who: SignedUp, query: string) =>
    (await call(parley.app, 'query', 'conversation.search', { query }, { cookie: who.token })).data;

  it('finds a message by a word, with its text around it', async () => {
    const found = await search(ana, 'jacket');
    expect(found.messages.map((m) => [m.contact.name, m.snippet])).toEqual([
      ['Maya Lindqvist', 'Where is my blue jacket?'],
    ]);
    expect(found.messages[0]?.id).toBe(byWaId['15551234567']?.id);
    // Any language, no stemming: the word as written, and the word being typed as a prefix.
    expect((await search(ana, 'pedidos')).messages.map((m) => m.contact.name)).toEqual(['Jonas Berg']);
    expect((await search(ana, 'devolver ped')).messages.map((m) => m.contact.name)).toEqual(['Jonas Berg']);
    expect((await search(ana, 'jackets')).messages).toEqual([]);
  });

  it('finds a contact by part of their number, however it is typed, or of their name', async () => {
    const phone = await search(ana, '5512');
    expect(phone.contacts.map((c) => c.contact.waId)).toEqual(['15551234567']);
    expect((await search(ana, '+1 555 1234')).contacts.map((c) => c.contact.waId)).toEqual(['15551234567']);
    expect((await search(ana, 'lindq')).contacts.map((c) => c.contact.name)).toEqual(['Maya Lindqvist']);
    expect((await search(ana, '100_')).contacts).toEqual([]);
  });

  it('finds nothing of another workspace', async () => {
    const ofOther = await search(other, 'jacket');
    expect(ofOther.messages.map((m) => m.snippet)).toEqual(['My blue jacket never came']);
    expect((await search(other, '5512')).contacts.map((c) => c.contact.waId)).toEqual(['15551239999']);
    expect((await search(other, 'pedidos')).messages).toEqual([]);
    expect((await search(ana, '9999')).contacts).toEqual([]);
  });
});

describe('read state per member', () => {
  const unreadOf = async (who: SignedUp, conversationId: string) =>
    (await call(parley.app, 'query', 'conversation.byId', { id: conversationId }, { cookie: who.token })).data
      .unreadCount;
  const receipts = async (conversationId: string) =>
    parley.db.pools.owner.oneFirst(sql.type(z.object({ n: z.number() }))`
      select count(*)::int as n from pgboss.job where name = 'message.read' and data->>'conversationId' = ${conversationId}`);

  it('opening a conversation marks it read for me only; the first reader tells the customer’s phone', async () => {
    const li = byWaId['8613800002222']?.id ?? '';
    expect(await unreadOf(ana, li)).toBe(1);
    expect(await unreadOf(ben, li)).toBe(1);
    const receiptsBefore = await receipts(li);
    await call(parley.app, 'mutation', 'conversation.markRead', { id: li }, { cookie: ana.token });
    expect(await unreadOf(ana, li)).toBe(0);
    expect(await unreadOf(ben, li)).toBe(1);
    expect(await receipts(li)).toBe(receiptsBefore + 1);
    // Ben reading it too sends no second receipt for the same messages.
    await call(parley.app, 'mutation', 'conversation.markRead', { id: li }, { cookie: ben.token });
    expect(await unreadOf(ben, li)).toBe(0);
    expect(await receipts(li)).toBe(receiptsBefore + 1);

    // Two more messages: unread for both; Ana read through the first of them only.
    await customerWrites(channel, '8613800002222', 'Li Wei', 'Still waiting', 'Hello?');
    const [newest, previous] = (
      await call(parley.app, 'query', 'message.list', { conversationId: li, limit: 2 }, { cookie: ana.token })
    ).data;
    expect(newest?.body).toBe('Hello?');
    await call(
      parley.app,
      'mutation',
      'conversation.markRead',
      { id: li, throughMessageId: previous?.id },
      { cookie: ana.token },
    );
    expect(await unreadOf(ana, li)).toBe(1);
    expect(await unreadOf(ben, li)).toBe(2);
    // An older position never moves it back.
    await call(
      parley.app,
      'mutation',
      'conversation.markRead',
      { id: li, throughMessageId: previous?.id },
      { cookie: ben.token },
    );
    await call(parley.app, 'mutation', 'conversation.markRead', { id: li }, { cookie: ben.token });
    await call(
      parley.app,
      'mutation',
      'conversation.markRead',
      { id: li, throughMessageId: previous?.id },
      { cookie: ben.token },
    );
    expect(await unreadOf(ben, li)).toBe(0);
    // The unread filter and tab counts are mine too.
    expect((await list(ana, { unread: true })).map((c) => c.id)).toContain(li);
    expect((await list(ben, { unread: true })).map((c) => c.id)).not.toContain(li);
  });

  it('a reply answers the customer’s messages for everyone', async () => {
    const maya = byWaId['15551234567']?.id ?? '';
    expect(await unreadOf(ben, maya)).toBeGreaterThan(0);
    await withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
      tx.query(sql.unsafe`update app_public.conversations set last_inbound_at = now() where id = ${maya}`),
    );
    const sent = await call(
      parley.app,
      'mutation',
      'message.send',
      { conversationId: maya, text: 'It ships today.' },
      { cookie: ana.token },
    );
    expect(sent.status, JSON.stringify(sent.error)).toBe(200);
    expect(await unreadOf(ben, maya)).toBe(0);
    expect(await unreadOf(ana, maya)).toBe(0);
  });

  it('stays exact for two agents while messages arrive and one of them keeps reading', async () => {
    const sara = byWaId['351910003333']?.id ?? '';
    await call(parley.app, 'mutation', 'conversation.markRead', { id: sara }, { cookie: ben.token });
    const writes = Array.from({ length: 8 }, (_, i) =>
      customerWrites(channel, '351910003333', 'Sara Costa', `m${i}`),
    );
    const reads = Array.from({ length: 8 }, () =>
      call(parley.app, 'mutation', 'conversation.markRead', { id: sara }, { cookie: ana.token }),
    );
    await Promise.all([...writes, ...reads]);
    // Ben read before any of them: all eight are unread to him, whatever Ana did meanwhile.
    expect(await unreadOf(ben, sara)).toBe(8);
    // Ana's count is what arrived after her last read: never more than Ben's, and 0 once she reads.
    expect(await unreadOf(ana, sara)).toBeLessThanOrEqual(8);
    await call(parley.app, 'mutation', 'conversation.markRead', { id: sara }, { cookie: ana.token });
    expect(await unreadOf(ana, sara)).toBe(0);
    expect(await unreadOf(ben, sara)).toBe(8);
    const counts = await call(parley.app, 'query', 'conversation.counts', {}, { cookie: ben.token });
    expect(counts.data.open.unread).toBeGreaterThanOrEqual(1);
  });
});

describe('unread counts in a busy inbox', () => {
  /** Every conversation as the list shows it to `who` (all pages): the per-conversation counts. */
  async function everyConversation(who: SignedUp) {
    const all: Listed[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await call(
        parley.app,
        'query',
        'conversation.list',
        { limit: 200, ...(cursor ? { cursor } : {}) },
        { cookie: who.token },
      );
      all.push(...page.data);
      if (page.data.length < 200) return all;
      cursor = page.data.at(-1)?.cursor;
    }
  }
  /** What the tab counts and the title count must say, recounted from the list's exact per-conversation counts. */
  async function recount(who: SignedUp) {
    const all = await everyConversation(who);
    const unreadIn = (status?: string) =>
      all.filter((c) => c.unreadCount > 0 && (!status || c.status === status)).length;
    const mine = all.filter(
      (c) => c.unreadCount > 0 && (c.assignedUserId === null || c.assignedUserId === who.userId),
    );
    return {
      tabs: {
        open: unreadIn('open'),
        pending: unreadIn('pending'),
        snoozed: unreadIn('snoozed'),
        resolved: unreadIn('resolved'),
        all: unreadIn(),
      },
      totals: { conversations: mine.length, messages: mine.reduce((sum, c) => sum + c.unreadCount, 0) },
    };
  }
  async function counted(who: SignedUp) {
    const counts = (await call(parley.app, 'query', 'conversation.counts', {}, { cookie: who.token })).data;
    const totals = (
      await call(parley.app, 'query', 'conversation.unreadTotals', undefined, { cookie: who.token })
    ).data;
    return {
      tabs: {
        open: counts.open.unread,
        pending: counts.pending.unread,
        snoozed: counts.snoozed.unread,
        resolved: counts.resolved.unread,
        all: counts.all.unread,
      },
      totals,
    };
  }

  it('count unread conversations exactly past 100 (per tab, per member, per conversation); totals exactly below their cap', async () => {
    const before = await counted(ben);
    await withTenant(parley.app.services.pools.app, owner.tenantId, (tx) =>
      tx.query(sql.unsafe`
        with k as (
          insert into app_public.contacts (tenant_id, wa_id, profile_name)
          select app_public.current_tenant_id(), '4600000' || lpad(g::text, 4, '0'), 'Busy ' || g
          from generate_series(1, 120) g returning id
        )
        insert into app_public.conversations
          (tenant_id, phone_number_id, contact_id, status, last_message_at, last_message_preview, unread_count, inbound_seq)
        select app_public.current_tenant_id(), (select id from app_public.phone_numbers limit 1), k.id, 'pending',
               now() - interval '2 hours', 'waiting', 150, 150
        from k`),
    );
    const counts = await call(parley.app, 'query', 'conversation.counts', {}, { cookie: ben.token });
    expect(counts.data.cap).toBe(1_000);
    // 121 pending conversations, all unread for Ben: both exact, past the badge's "99+".
    expect(counts.data.pending).toEqual({ total: 121, unread: before.tabs.pending + 120 });
    expect(counts.data.pending.unread).toBeGreaterThan(100);
    const after = await counted(ben);
    expect(after.totals).toEqual({
      conversations: before.totals.conversations + 120,
      messages: before.totals.messages + 120 * 150,
    });
    expect(after).toEqual(await recount(ben));
    // One conversation's own count is exact too (150, not "99+").
    const busy = (await everyConversation(ben)).find((c) => c.contact.waId === '46000000001');
    expect(busy?.unreadCount).toBe(150);
  });

  it('stay exact while customers write, members read and conversations change hands, all at once', async () => {
    const busy = (await everyConversation(ben)).filter((c) => c.contact.waId?.startsWith('4600000'));
    const newcomers = Array.from({ length: 15 }, (_, i) => `4700000${String(i).padStart(4, '0')}`);
    await Promise.all([
      // New customers, and customers writing again to conversations Ben has read or not.
      ...newcomers.map((from, i) => customerWrites(channel, from, `New ${i}`, 'hello', 'anyone?')),
      // Ben reads some, Ana reads others (read state is per member).
      ...busy
        .slice(0, 20)
        .map((c) =>
          call(parley.app, 'mutation', 'conversation.markRead', { id: c.id }, { cookie: ben.token }),
        ),
      ...busy
        .slice(20, 40)
        .map((c) =>
          call(parley.app, 'mutation', 'conversation.markRead', { id: c.id }, { cookie: ana.token }),
        ),
      // Some become Ana's: no longer counted in Ben's title count.
      ...busy
        .slice(40, 50)
        .map((c) =>
          call(
            parley.app,
            'mutation',
            'conversation.assign',
            { id: c.id, version: c.version, userId: ana.userId },
            { cookie: owner.token },
          ),
        ),
    ]);
    await processed(parley.app);
    for (const who of [ben, ana]) {
      const now = await counted(who);
      expect(now).toEqual(await recount(who));
      expect(now.tabs.all).toBe(now.tabs.open + now.tabs.pending + now.tabs.snoozed + now.tabs.resolved);
    }
    const ben1 = await counted(ben);
    const ana1 = await counted(ana);
    // Ben read 20 of the busy ones, Ana 20 others: each still has the rest unread.
    expect(ben1.tabs.pending).toBeGreaterThanOrEqual(100);
    expect(ana1.tabs.pending).toBeGreaterThanOrEqual(100);
    expect(ben1.tabs.open).toBeGreaterThanOrEqual(15);
  });
});
