import { sql, type FragmentSqlToken } from 'slonik';
import { z } from 'zod';
import { assigneeFilter, conversationSchema, conversationStatus } from './queries.ts';

/**
 * The inbox's filters (the list, the tab counts, and the URL of a filtered view): each narrows the
 * list, all together. Every combination is served by an index led by tenant_id (see migration 000018).
 */
export const inboxFilters = z.object({
  /** A status tab; none is "all". */
  status: conversationStatus.optional(),
  /** Whose: the caller's, nobody's (no member, no team), or anyone's. */
  assignee: assigneeFilter.optional(),
  /** Assigned to this member. */
  assignedUserId: z.uuid().optional(),
  /** Assigned to this team. */
  teamId: z.uuid().optional(),
  labelId: z.uuid().optional(),
  /** One of the workspace's numbers (Meta's phone number id, as the list shows it). */
  phoneNumberId: z
    .string()
    .regex(/^\d{1,32}$/, 'Phone number id must be digits.')
    .optional(),
  /** Only those with customer messages the caller has not read. */
  unread: z.boolean().optional(),
  /** The 24-hour customer-service window: open (free-form replies allowed) or closed (templates only). */
  window: z.enum(['open', 'closed']).optional(),
});
export type InboxFilters = z.infer<typeof inboxFilters>;

/**
 * Where a page ended: the last row's (last_message_at, id) as it was read, "<ISO time with
 * microseconds>|<id>". Paging continues from this position whatever moved meanwhile, so conversations
 * inserted or moved to the top while paging neither repeat nor shift what comes next.
 */
export const inboxCursor = z
  .string()
  .regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z\|[0-9a-f-]{36}$/i, 'Cursor is not one this list gave.');

function parseCursor(cursor: string) {
  const [at = '', id = ''] = cursor.split('|');
  return { at, id };
}

/**
 * The caller's unread customer messages in conversation c: the least of those since the last reply
 * and those since the caller's read position (none for an API key). A correlated subquery, so each
 * conversation costs one probe of conversation_reads_pkey: a join let the planner hash every read
 * row of the member (tens of thousands) to count one tab.
 */
const unreadForMe = (userId: string | null) => sql.fragment`least(c.unread_count, c.inbound_seq - coalesce((
  select r.read_seq from app_public.conversation_reads r where r.conversation_id = c.id and r.user_id = ${userId}::uuid
), 0))`;

/** The filters as conditions on conversations c (and the caller's reads r). */
function conditions(filters: InboxFilters, userId: string | null): FragmentSqlToken[] {
  const where = [sql.fragment`c.last_message_at is not null`];
  if (filters.status) where.push(sql.fragment`c.status = ${filters.status}`);
  if (filters.assignee === 'unassigned') {
    where.push(sql.fragment`c.assigned_user_id is null and c.assigned_team_id is null`);
  }
  if (filters.assignee === 'me') {
    // An API key is nobody: "me" finds nothing.
    where.push(userId ? sql.fragment`c.assigned_user_id = ${userId}` : sql.fragment`false`);
  }
  if (filters.assignedUserId) where.push(sql.fragment`c.assigned_user_id = ${filters.assignedUserId}`);
  if (filters.teamId) where.push(sql.fragment`c.assigned_team_id = ${filters.teamId}`);
  if (filters.labelId) {
    where.push(sql.fragment`exists (
      select 1 from app_public.conversation_labels x where x.conversation_id = c.id and x.label_id = ${filters.labelId})`);
  }
  if (filters.phoneNumberId) {
    where.push(sql.fragment`c.phone_number_id = (
      select n.id from app_public.phone_numbers n where n.phone_number_id = ${filters.phoneNumberId})`);
  }
  // unread_count > 0 first: it is the predicate of conversations_unread_idx.
  if (filters.unread) where.push(sql.fragment`c.unread_count > 0 and ${unreadForMe(userId)} > 0`);
  if (filters.window === 'open') where.push(sql.fragment`c.last_inbound_at > now() - interval '24 hours'`);
  if (filters.window === 'closed') {
    where.push(sql.fragment`(c.last_inbound_at is null or c.last_inbound_at <= now() - interval '24 hours')`);
  }
  return where;
}

/** The columns of a listed conversation (conversationSchema), from c, k (contact), p (number). */
export const listedColumns = (userId: string | null) => sql.fragment`
  c.id, c.status, c.last_message_at as "lastMessageAt", c.last_message_preview as "lastMessagePreview",
  ${unreadForMe(userId)}::int as "unreadCount", c.snoozed_until as "snoozedUntil", c.assigned_user_id as "assignedUserId",
  c.assigned_team_id as "assignedTeamId", c.workflow_version as version,
  case when c.last_inbound_at > now() - interval '24 hours' then c.last_inbound_at + interval '24 hours' end as "windowClosesAt",
  p.phone_number_id as "phoneNumberId",
  json_build_object('id', k.id, 'waId', k.wa_id, 'bsuid', k.bsuid, 'name', coalesce(k.name, k.profile_name)) as contact,
  coalesce((select array_agg(x.label_id order by x.created_at, x.label_id) from app_public.conversation_labels x
            where x.conversation_id = c.id), '{}') as "labelIds",
  to_char(c.last_message_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '|' || c.id as cursor`;

/** Joins for listedColumns, after "from app_public.conversations c". */
export const listedJoins = sql.fragment`
  join app_public.contacts k on k.id = c.contact_id
  join app_public.phone_numbers p on p.id = c.phone_number_id`;

export const listedConversation = conversationSchema.extend({
  labelIds: z.array(z.string()),
  /** Pass the last row's as `cursor` for the next page. */
  cursor: z.string(),
});
export type ListedConversation = z.infer<typeof listedConversation>;

/**
 * One page of the inbox, most recent first, filtered. Keyset paging on (last_message_at, id) from
 * the position in `cursor`. Conversations without any message have nothing to show and are left out.
 */
export function inboxPage(
  input: InboxFilters & { userId: string | null; cursor?: string | undefined; limit: number },
) {
  if (input.labelId) return labelPage({ ...input, labelId: input.labelId });
  const where = conditions(input, input.userId);
  if (input.cursor) {
    const { at, id } = parseCursor(input.cursor);
    where.push(sql.fragment`(c.last_message_at, c.id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return sql.type(listedConversation)`
    select ${listedColumns(input.userId)}
    from app_public.conversations c ${listedJoins}
    where ${sql.join(where, sql.fragment` and `)}
    order by c.last_message_at desc nulls last, c.id desc
    limit ${input.limit}
  `;
}

/**
 * The label filter's page: read from the label's rows in list order (conversation_labels_inbox_idx,
 * migration 000024: each label row carries its conversation's last_message_at, kept equal by
 * triggers in the same transaction), the other filters tested on each conversation. Walking the
 * inbox and probing each conversation's labels read ~1,700 conversations per page at 10 labels.
 */
function labelPage(
  input: InboxFilters & {
    labelId: string;
    userId: string | null;
    cursor?: string | undefined;
    limit: number;
  },
) {
  const { labelId, ...others } = input;
  const where = [
    sql.fragment`x.label_id = ${labelId}`,
    sql.fragment`x.last_message_at is not null`,
    ...conditions(others, input.userId),
  ];
  if (input.cursor) {
    const { at, id } = parseCursor(input.cursor);
    where.push(sql.fragment`(x.last_message_at, x.conversation_id) < (${at}::timestamptz, ${id}::uuid)`);
  }
  return sql.type(listedConversation)`
    select ${listedColumns(input.userId)}
    from app_public.conversation_labels x
    join app_public.conversations c on c.tenant_id = x.tenant_id and c.id = x.conversation_id
    ${listedJoins}
    where ${sql.join(where, sql.fragment` and `)}
    order by x.last_message_at desc nulls last, x.conversation_id desc
    limit ${input.limit}
  `;
}

/** One conversation as the list shows it (a deep link or a search result outside the loaded pages). */
export const listedById = (id: string, userId: string | null) => sql.type(listedConversation)`
  select ${listedColumns(userId)}
  from app_public.conversations c ${listedJoins}
  where c.id = ${id}`;

/** Totals above this show as "1,000+": counting stops there, so a tab's total costs at most that. */
export const countCap = 1_000;

export const tabs = ['open', 'pending', 'snoozed', 'resolved', 'all'] as const;
const tabCount = z.object({
  total: z.number(),
  /** Exact, however many: the badge may shorten it ("99+"), the number never stops. */
  unread: z.number(),
});
export const tabCountsSchema = z.object({
  open: tabCount,
  pending: tabCount,
  snoozed: tabCount,
  resolved: tabCount,
  all: tabCount,
  /** Totals stop at this number (a total equal to it means "at least"). */
  cap: z.number(),
});

/**
 * Per status tab, under the other filters: how many conversations (each total reads at most countCap
 * index entries), and exactly how many of them have customer messages the caller has not read. The
 * unread counts are one pass over the conversations with unanswered customer messages
 * (conversations_unread_idx, covered), grouped by status, each probing the caller's read position:
 * one snapshot, so the tabs add up to All even while messages arrive and members read.
 */
export function tabCounts(filters: Omit<InboxFilters, 'status'>, userId: string | null) {
  const total = (status: (typeof tabs)[number]) => {
    const where = conditions({ ...filters, ...(status === 'all' ? {} : { status }) }, userId);
    return sql.fragment`(select count(*)::int from (
      select 1 from app_public.conversations c
      where ${sql.join(where, sql.fragment` and `)} limit ${countCap}) counted)`;
  };
  const unread = conditions({ ...filters, unread: true }, userId);
  const unreadOf = (status: (typeof tabs)[number]) =>
    status === 'all'
      ? sql.fragment`(select coalesce(sum(u.n), 0)::int from unread u)`
      : sql.fragment`coalesce((select u.n from unread u where u.status = ${status}), 0)`;
  const columns = tabs.map(
    (tab) =>
      sql.fragment`json_build_object('total', ${total(tab)}, 'unread', ${unreadOf(tab)}) as ${sql.identifier([tab])}`,
  );
  return sql.type(tabCountsSchema)`
    with unread as materialized (
      select c.status, count(*)::int as n from app_public.conversations c
      where ${sql.join(unread, sql.fragment` and `)}
      group by c.status
    )
    select ${sql.join(columns, sql.fragment`, `)}, ${countCap}::int as cap`;
}

export const unreadTotalsSchema = z.object({
  /** Conversations that are mine or nobody's with customer messages I have not read. */
  conversations: z.number(),
  /** Those messages, all of them. */
  messages: z.number(),
});

/**
 * The caller's own unread figures (the tab title's count): customer messages they have not read in
 * conversations assigned to them or to no member, whatever the status, exact. An API key is nobody:
 * only nobody's conversations count, all unread.
 */
export const unreadTotals = (userId: string | null) => sql.type(unreadTotalsSchema)`
  select count(*)::int as conversations, coalesce(sum(u.n), 0)::int as messages
  from (
    select ${unreadForMe(userId)} as n from app_public.conversations c
    where c.unread_count > 0 and (c.assigned_user_id is null or c.assigned_user_id = ${userId}::uuid)
  ) u
  where u.n > 0`;
