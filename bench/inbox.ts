// Inbox queries at scale (issue 20): one workspace with 100k conversations and 1M messages among ten
// (the nine others: 5k conversations and 50k messages each), generated set-based with
// generate_series. Then, as a member of the big workspace under row-level security (parley_app, one
// transaction per query as the procedures run them), p50/p99 of: the conversation list (first page
// and a deep page), each filter tab, the tab counts, a thread page, search by a common and a rare word,
// and by a partial phone number or name. Goal (DESIGN.md): p99 ≤ 20 ms each. EXPLAIN (ANALYZE,
// BUFFERS) of each query goes to dist/bench/inbox-plans.txt (pasted into bench/README.md).
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type CommonQueryMethods, type QuerySqlToken } from 'slonik';
import { z } from 'zod';
import { createPools } from '../server/db/pools.ts';
import { withTenant } from '../server/db/tx.ts';
import { inboxPage, tabCounts, type InboxFilters } from '../server/domains/conversations/inbox-queries.ts';
import {
  contactHits,
  messageHits,
  messageQuery,
  phoneDigits,
} from '../server/domains/conversations/search-queries.ts';
import { messagePage } from '../server/domains/messages/queries.ts';
import { createLogger } from '../server/logger.ts';
import { benchDatabase } from './database.ts';
import { percentile, report } from './report.ts';

const bigConversations = Number(process.env.BENCH_CONVERSATIONS ?? 100_000);
const messagesPerConversation = Number(process.env.BENCH_MESSAGES_PER_CONVERSATION ?? 10);
const otherTenants = Number(process.env.BENCH_OTHER_TENANTS ?? 9);
const otherConversations = Number(process.env.BENCH_OTHER_CONVERSATIONS ?? 5_000);
const rounds = Number(process.env.BENCH_ROUNDS ?? 200);
const here = fileURLToPath(new URL('.', import.meta.url));
const logger = createLogger('warn');
const database = await benchDatabase(logger);
const pools = await createPools(database.url, 4);
const owner = pools.owner;
const idRow = z.object({ id: z.string() });

/** Words messages are made of: a few common, "zebra" rare (≈ 1 message in 20,000). */
const vocabulary = [
  'order',
  'delivery',
  'refund',
  'jacket',
  'size',
  'thanks',
  'hello',
  'when',
  'where',
  'is',
  'my',
  'the',
  'please',
  'price',
  'blue',
  'red',
  'shoes',
  'return',
  'pedido',
  'entrega',
  'obrigado',
  'gracias',
  'envío',
  'tracking',
  'number',
  'address',
  'payment',
  'card',
  'invoice',
  'discount',
  'coupon',
  'store',
  'open',
];
const firstNames = [
  'Maya',
  'Jonas',
  'Li',
  'Sara',
  'Ana',
  'Ben',
  'Omar',
  'Ines',
  'Yuki',
  'Priya',
  'Lucas',
  'Chen',
];
const lastNames = [
  'Lindqvist',
  'Berg',
  'Wei',
  'Costa',
  'Silva',
  'Okafor',
  'Novak',
  'Haddad',
  'Sato',
  'Rossi',
];

/** Fills one workspace set-based; returns its id and its members' ids. */
async function fillTenant(db: CommonQueryMethods, index: number, conversations: number) {
  const tenantId = await db.oneFirst(sql.type(idRow)`
    insert into app_private.tenants (name, slug) values (${`Bench ${index}`}, ${`bench-${index}`}) returning id`);
  const userIds = await db.anyFirst(sql.type(idRow)`
    insert into app_private.users (email, display_name)
    select 'agent' || g || '-' || ${index} || '@bench.test', 'Agent ' || g from generate_series(1, 20) g returning id`);
  await db.query(sql.unsafe`
    insert into app_public.memberships (tenant_id, user_id, role)
    select ${tenantId}, u, 'agent' from unnest(${sql.array(userIds, 'uuid')}::uuid[]) u`);
  const channelId = await db.oneFirst(sql.type(idRow)`
    insert into app_public.channels (tenant_id, name, meta_app_id, waba_id, app_key, graph_api_version)
    values (${tenantId}, 'Bench', '900000000000001', ${`31000000000${index}`}, ${`benchappkey${String(index).padStart(12, '0')}`}, 'v23.0')
    returning id`);
  await db.query(sql.unsafe`
    insert into app_public.phone_numbers (tenant_id, channel_id, phone_number_id, display_phone_number)
    select ${tenantId}, ${channelId}, '42000000' || ${index} || g, '1555010' || g from generate_series(1, 3) g`);
  const teamIds = await db.anyFirst(sql.type(idRow)`
    insert into app_public.teams (tenant_id, name) select ${tenantId}, 'Team ' || g from generate_series(1, 5) g returning id`);
  await db.query(sql.unsafe`
    insert into app_public.team_members (tenant_id, team_id, user_id)
    select ${tenantId}, t, u from unnest(${sql.array(teamIds, 'uuid')}::uuid[]) t, unnest(${sql.array(userIds, 'uuid')}::uuid[]) u
    where random() < 0.3 on conflict do nothing`);
  const labelIds = await db.anyFirst(sql.type(idRow)`
    insert into app_public.labels (tenant_id, name, color)
    select ${tenantId}, 'Label ' || g, (array['red','blue','green','grape','orange'])[1 + g % 5] from generate_series(1, 10) g
    returning id`);
  // Contacts: a name and a number each (+1 555 followed by the contact's 7-digit index).
  await db.query(sql.unsafe`
    insert into app_public.contacts (tenant_id, wa_id, profile_name)
    select ${tenantId}, '1555' || ${index} || lpad(g::text, 7, '0'),
           (${sql.array(firstNames, 'text')}::text[])[1 + g % ${firstNames.length}] || ' ' ||
           (${sql.array(lastNames, 'text')}::text[])[1 + (g / ${firstNames.length}) % ${lastNames.length}] || ' ' || g
    from generate_series(1, ${conversations}) g`);
  // Conversations: 15 % open, 5 % pending, 3 % snoozed, the rest resolved; 70 % assigned to one of
  // 20 members, 30 % to one of 5 teams; 15 % with unanswered customer messages; 3 % in the 24-hour window.
  await db.query(sql.unsafe`
    insert into app_public.conversations
      (tenant_id, phone_number_id, contact_id, status, snoozed_until, assigned_user_id, assigned_team_id,
       last_message_at, last_message_preview, last_inbound_at, unread_count, inbound_seq)
    select ${tenantId}, n.ids[1 + (hashtext(k.id::text) & 1023) % 3], k.id, s.status,
           case when s.status = 'snoozed' then now() + interval '1 day' end,
           case when r.a < 0.7 then u.ids[1 + (r.a * 1000)::int % 20] end,
           case when r.b < 0.3 then t.ids[1 + (r.b * 1000)::int % 5] end,
           m.at, 'last message', case when r.c < 0.03 then m.at else m.at - interval '3 days' end,
           case when r.d < 0.15 then 1 + (r.d * 100)::int % 4 else 0 end,
           case when r.d < 0.15 then 1 + (r.d * 100)::int % 4 else 0 end + 5
    from app_public.contacts k
    cross join (select array_agg(id order by id) ids from app_public.phone_numbers where tenant_id = ${tenantId}) n
    cross join (select ${sql.array(userIds, 'uuid')}::uuid[] ids) u
    cross join (select ${sql.array(teamIds, 'uuid')}::uuid[] ids) t
    -- Per-row pseudo-random numbers in [0, 1) (random() in an uncorrelated subquery would run once).
    cross join lateral (select (hashtext(k.id::text || 'a') & 65535) / 65536.0 as a, (hashtext(k.id::text || 'b') & 65535) / 65536.0 as b,
                               (hashtext(k.id::text || 'c') & 65535) / 65536.0 as c, (hashtext(k.id::text || 'd') & 65535) / 65536.0 as d,
                               (hashtext(k.id::text || 'e') & 65535) / 65536.0 as e) r
    cross join lateral (select case when r.e < 0.15 then 'open' when r.e < 0.20 then 'pending'
                                    when r.e < 0.23 then 'snoozed' else 'resolved' end as status) s
    cross join lateral (select case when r.c < 0.03 then now() - r.a * interval '20 hours'
                                    else now() - interval '1 day' - r.a * interval '90 days' end as at) m
    where k.tenant_id = ${tenantId}`);
  // Labels on 20 % of conversations (one or two each).
  await db.query(sql.unsafe`
    insert into app_public.conversation_labels (tenant_id, conversation_id, label_id)
    select ${tenantId}, c.id, l.ids[1 + (hashtext(c.id::text || x) & 1023) % 10]
    from app_public.conversations c, generate_series(1, 2) x,
         (select ${sql.array(labelIds, 'uuid')}::uuid[] ids) l
    where c.tenant_id = ${tenantId} and hashtext(c.id::text) % 10 in (1, 2) and (x = 1 or hashtext(c.id::text) % 2 = 0)
    on conflict do nothing`);
  // Messages, in chunks: each conversation's, spread over the hours before its last message.
  const chunk = 10_000;
  for (let from = 0; from < conversations; from += chunk) {
    await db.query(sql.unsafe`
      insert into app_public.messages (tenant_id, conversation_id, wamid, direction, type, body, content, status, occurred_at)
      select c.tenant_id, c.id, 'wamid.bench.' || c.id || '.' || g,
             case when g % 2 = 0 then 'inbound' else 'outbound' end, 'text',
             (select string_agg(w.words[1 + ((hashtext(c.id::text || g || i) & 65535) % array_length(w.words, 1))], ' ')
              from generate_series(1, 4 + g % 8) i) ||
             case when (hashtext(c.id::text || g) & 65535) % 20000 = 0 then ' zebra' else '' end,
             '{}'::jsonb, case when g % 2 = 0 then 'received' else 'read' end,
             c.last_message_at - (${messagesPerConversation} - g) * interval '7 minutes'
      from (select * from app_public.conversations where tenant_id = ${tenantId} order by id offset ${from} limit ${chunk}) c
      cross join generate_series(1, ${messagesPerConversation}) g
      cross join (select ${sql.array(vocabulary, 'text')}::text[] words) w`);
  }
  // The first member has read 30 % of conversations up to date.
  await db.query(sql.unsafe`
    insert into app_public.conversation_reads (tenant_id, conversation_id, user_id, read_seq)
    select ${tenantId}, c.id, ${userIds[0] ?? ''}, c.inbound_seq from app_public.conversations c
    where c.tenant_id = ${tenantId} and hashtext(c.id::text) % 10 < 3`);
  return { tenantId, userIds, teamIds, labelIds };
}

const started = performance.now();
// One connection without the pool's 30 s statement timeout: on a loaded machine one set-based insert
// of 100k conversations (with its foreign key checks) can take longer.
const big = await owner.connect(async (db) => {
  await db.query(sql.unsafe`set statement_timeout = 0`);
  const filled = await fillTenant(db, 0, bigConversations);
  for (let i = 1; i <= otherTenants; i++) await fillTenant(db, i, otherConversations);
  await db.query(sql.unsafe`vacuum analyze`);
  await db.query(sql.unsafe`reset statement_timeout`);
  return filled;
});
const generatedSeconds = Math.round((performance.now() - started) / 100) / 10;
const counts = await owner.one(sql.type(
  z.object({ conversations: z.number(), messages: z.number(), big: z.number() }),
)`
  select (select count(*)::int from app_public.conversations) as conversations,
         (select count(*)::int from app_public.messages) as messages,
         (select count(*)::int from app_public.messages where tenant_id = ${big.tenantId}) as big`);

const me = big.userIds[0] ?? null;
const pick = <T>(values: readonly T[], i: number): T => values[i % values.length] as T;
const someConversations = await withTenant(pools.app, big.tenantId, (tx) =>
  tx.anyFirst(sql.type(idRow)`select id from app_public.conversations order by random() limit 500`),
);
const deepCursor = await withTenant(pools.app, big.tenantId, async (tx) => {
  const page = await tx.any(inboxPage({ userId: me, limit: 200 }));
  return page.at(-1)?.cursor;
});
const list = (filters: InboxFilters, cursor?: string) => () =>
  inboxPage({ ...filters, userId: me, cursor, limit: 50 });

/** What is measured: name → the query for round i. */
const cases: Record<string, (i: number) => QuerySqlToken> = {
  list_all: list({}),
  list_deep_page: list({}, deepCursor),
  tab_open: list({ status: 'open' }),
  tab_pending: list({ status: 'pending' }),
  tab_snoozed: list({ status: 'snoozed' }),
  tab_resolved: list({ status: 'resolved' }),
  assignee_me_open: list({ assignee: 'me', status: 'open' }),
  assignee_me_all: list({ assignee: 'me' }),
  unassigned_open: list({ assignee: 'unassigned', status: 'open' }),
  member_open: (i) =>
    inboxPage({ assignedUserId: pick(big.userIds, i), status: 'open', userId: me, limit: 50 }),
  team_open: (i) => inboxPage({ teamId: pick(big.teamIds, i), status: 'open', userId: me, limit: 50 }),
  label_all: (i) => inboxPage({ labelId: pick(big.labelIds, i), userId: me, limit: 50 }),
  label_open: (i) => inboxPage({ labelId: pick(big.labelIds, i), status: 'open', userId: me, limit: 50 }),
  number_open: (i) =>
    inboxPage({ phoneNumberId: `420000000${1 + (i % 3)}`, status: 'open', userId: me, limit: 50 }),
  unread_open: list({ unread: true, status: 'open' }),
  unread_all: list({ unread: true }),
  window_open: list({ window: 'open' }),
  window_closed: list({ window: 'closed' }),
  tab_counts: () => tabCounts({}, me),
  tab_counts_me: () => tabCounts({ assignee: 'me' }, me),
  thread_page: (i) => messagePage({ conversationId: pick(someConversations, i), limit: 50 }),
  // As searchInbox runs them: the newest messages first; the posting lists when that finds too few.
  search_common_word: () => messageHits(messageQuery('refund') ?? '', me, 'recent'),
  search_two_words: () => messageHits(messageQuery('blue jack') ?? '', me, 'recent'),
  search_rare_word_recent_pass: () => messageHits(messageQuery('zebra') ?? '', me, 'recent'),
  search_rare_word_index_pass: () => messageHits(messageQuery('zebra') ?? '', me, 'all'),
  search_partial_phone: () => contactHits('5512', phoneDigits('5512'), me) as QuerySqlToken,
  search_name: () => contactHits('lindq', null, me) as QuerySqlToken,
};

const results: Record<string, number | string> = {};
const plans: string[] = [];
let worstP99 = 0;
for (const [name, query] of Object.entries(cases)) {
  const times: number[] = [];
  for (let i = 0; i < rounds + 5; i++) {
    const t0 = performance.now();
    await withTenant(pools.app, big.tenantId, (tx) => tx.any(query(i)), { userId: me });
    if (i >= 5) times.push(performance.now() - t0);
  }
  const p99 = percentile(times, 99);
  worstP99 = Math.max(worstP99, p99);
  results[`${name}_p50_ms`] = percentile(times, 50);
  results[`${name}_p99_ms`] = p99;
  const plan = await withTenant(
    pools.app,
    big.tenantId,
    async (tx) => {
      return tx.anyFirst(
        sql.type(z.object({ 'QUERY PLAN': z.string() }))`explain (analyze, buffers, costs off) ${query(1)}`,
      );
    },
    { userId: me },
  );
  plans.push(`### ${name}\n\n\`\`\`\n${plan.join('\n')}\n\`\`\`\n`);
}
const out = path.join(here, '..', 'dist', 'bench');
await fs.mkdir(out, { recursive: true });
await fs.writeFile(path.join(out, 'inbox-plans.md'), plans.join('\n'));
report('inbox', {
  conversations: counts.conversations,
  messages: counts.messages,
  big_tenant_messages: counts.big,
  generated_s: generatedSeconds,
  rounds,
  ...results,
  worst_p99_ms: worstP99,
  target: 'p99 ≤ 20 ms each',
  load_average: os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' '),
});
await pools.end();
await database.close();
