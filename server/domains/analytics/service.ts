import type { DatabasePool } from 'slonik';
import type { Tx } from '../../db/tx.ts';
import {
  compactAll,
  durations,
  memberNames,
  rebuildsDue,
  rebuildTenant,
  repeatableRead,
  rollups,
  scopeTo,
  tenantTimeZone,
  type durationRow,
  type rollupRow,
} from './queries.ts';
import type { AnalyticsOverview, AnalyticsRange, AnalyticsTotals } from './schemas.ts';
import type { z } from 'zod';

const metrics = [
  'messages.in',
  'messages.out',
  'messages.sent',
  'messages.delivered',
  'messages.read',
  'messages.failed',
  'agent.replies',
  'conversations.opened',
  'conversations.resolved',
  'conversations.reopened',
  'contacts.created',
  'contacts.opted_out',
] as const;

type Rollup = z.infer<typeof rollupRow>;
type Duration = z.infer<typeof durationRow>;

const dayMs = 86_400_000;
const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const share = (part: number, whole: number) => (whole > 0 ? part / whole : null);

/** Every figure of the dashboard for a range of local days, with the as-long period before it. */
export async function analyticsOverview(tx: Tx, range: AnalyticsRange): Promise<AnalyticsOverview> {
  const { timeZone } = await tx.one(tenantTimeZone());
  const fromMs = Date.parse(range.from);
  const days = (Date.parse(range.to) - fromMs) / dayMs + 1;
  const window = {
    zone: timeZone,
    previousFrom: isoDay(fromMs - days * dayMs),
    from: range.from,
    to: range.to,
    phoneNumberId: range.phoneNumberId,
  };
  const [rows, waits, names] = await Promise.all([
    tx.any(rollups(window, metrics)),
    tx.any(durations(window)),
    tx.any(memberNames()),
  ]);

  const totalsRows = rows.filter((row) => row.grain === 'totals');
  const sum = (period: 'current' | 'previous', metric: string, key?: string) =>
    totalsRows
      .filter(
        (row) => row.period === period && row.metric === metric && (key === undefined || row.key === key),
      )
      .reduce((total, row) => total + row.value, 0);

  return {
    timeZone,
    from: range.from,
    to: range.to,
    totals: totalsOf((metric) => sum('current', metric)),
    previous: totalsOf((metric) => sum('previous', metric)),
    messagesByType: messagesByType(totalsRows),
    failuresByCode: totalsRows
      .filter((row) => row.period === 'current' && row.metric === 'messages.failed')
      .map((row) => ({ code: row.key ?? 'unknown', count: row.value }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    daily: dailySeries(rows, range.from, days),
    busiestHours: rows
      .filter((row) => row.grain === 'hours' && row.metric === 'messages.in' && row.weekday !== null)
      .map((row) => ({ weekday: row.weekday ?? 0, hour: row.hour ?? 0, messagesIn: row.value }))
      .sort((a, b) => a.weekday - b.weekday || a.hour - b.hour),
    firstResponse: durationOf(waits.find((w) => w.overall === 1 && w.kind === 'first_response')),
    resolution: durationOf(waits.find((w) => w.overall === 1 && w.kind === 'resolution')),
    agents: agentFigures(totalsRows, waits, new Map(names.map((member) => [member.userId, member.name]))),
  };
}

function totalsOf(sum: (metric: string) => number): AnalyticsTotals {
  const sent = sum('messages.sent');
  const delivered = sum('messages.delivered');
  const read = sum('messages.read');
  const failed = sum('messages.failed');
  return {
    messagesIn: sum('messages.in'),
    messagesOut: sum('messages.out'),
    sent,
    delivered,
    read,
    failed,
    deliveryRate: share(delivered, sent),
    readRate: share(read, delivered),
    failureRate: share(failed, sent + failed),
    agentReplies: sum('agent.replies'),
    conversationsOpened: sum('conversations.opened'),
    conversationsResolved: sum('conversations.resolved'),
    conversationsReopened: sum('conversations.reopened'),
    contactsCreated: sum('contacts.created'),
    contactsOptedOut: sum('contacts.opted_out'),
  };
}

function messagesByType(totalsRows: Rollup[]) {
  const byType = new Map<string, { type: string; inbound: number; outbound: number }>();
  for (const row of totalsRows) {
    if (row.period !== 'current' || (row.metric !== 'messages.in' && row.metric !== 'messages.out')) continue;
    const type = row.key ?? 'unknown';
    const entry = byType.get(type) ?? { type, inbound: 0, outbound: 0 };
    if (row.metric === 'messages.in') entry.inbound += row.value;
    else entry.outbound += row.value;
    byType.set(type, entry);
  }
  return [...byType.values()].sort((a, b) => b.inbound + b.outbound - (a.inbound + a.outbound));
}

/** One entry per local day of the range, zeros included, so charts have no gaps. */
function dailySeries(rows: readonly Rollup[], from: string, days: number) {
  const fromMs = Date.parse(from);
  const series = Array.from({ length: days }, (_, index) => ({
    day: isoDay(fromMs + index * dayMs),
    messagesIn: 0,
    messagesOut: 0,
    delivered: 0,
    read: 0,
    failed: 0,
    conversationsResolved: 0,
  }));
  const byDay = new Map(series.map((entry) => [entry.day, entry]));
  const field = {
    'messages.in': 'messagesIn',
    'messages.out': 'messagesOut',
    'messages.delivered': 'delivered',
    'messages.read': 'read',
    'messages.failed': 'failed',
    'conversations.resolved': 'conversationsResolved',
  } as const;
  for (const row of rows) {
    if (row.grain !== 'daily' || row.day === null || !(row.metric in field)) continue;
    const entry = byDay.get(row.day);
    if (entry) entry[field[row.metric as keyof typeof field]] += row.value;
  }
  return series;
}

function durationOf(row: Duration | undefined) {
  return {
    count: row?.count ?? 0,
    medianSeconds: row?.medianSeconds ?? null,
    p90Seconds: row?.p90Seconds ?? null,
  };
}

/** Members with any reply, resolution or wait in the range, busiest first. */
function agentFigures(totalsRows: Rollup[], waits: readonly Duration[], names: Map<string, string>) {
  const ids = new Set<string>();
  for (const row of totalsRows) {
    if (
      row.period === 'current' &&
      (row.metric === 'agent.replies' || row.metric === 'conversations.resolved') &&
      row.key
    )
      ids.add(row.key);
  }
  for (const wait of waits) if (wait.overall === 0 && wait.userId) ids.add(wait.userId);
  const count = (metric: string, userId: string) =>
    totalsRows
      .filter((row) => row.period === 'current' && row.metric === metric && row.key === userId)
      .reduce((total, row) => total + row.value, 0);
  const wait = (kind: Duration['kind'], userId: string) =>
    durationOf(waits.find((w) => w.overall === 0 && w.kind === kind && w.userId === userId));
  return [...ids]
    .map((userId) => ({
      userId,
      name: names.get(userId) ?? 'Former member',
      replies: count('agent.replies', userId),
      resolutions: count('conversations.resolved', userId),
      firstResponse: wait('first_response', userId),
      resolution: wait('resolution', userId),
    }))
    .sort((a, b) => b.replies + b.resolutions - (a.replies + a.resolutions) || a.name.localeCompare(b.name));
}

/**
 * The analytics.rollup job: rebuilds the workspaces that need it (each in its own REPEATABLE READ
 * transaction, see analytics_rebuild_tenant), then folds every workspace's deltas into hourly rows.
 */
export async function runAnalyticsRollup(owner: DatabasePool): Promise<{ rebuilt: number; folded: number }> {
  const due = await owner.any(rebuildsDue());
  for (const tenant of due) {
    await owner.transaction(async (tx) => {
      await tx.query(repeatableRead());
      await tx.query(scopeTo(tenant.tenantId));
      await tx.query(rebuildTenant(tenant.tenantId, tenant.firstBuild));
    });
  }
  const { folded } = await owner.transaction((tx) => tx.one(compactAll()));
  return { rebuilt: due.length, folded };
}
