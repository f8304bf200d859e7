import { sql } from 'slonik';
import { z } from 'zod';

/** The workspace's time zone, in which days and hours are counted. */
export const tenantTimeZone = () =>
  sql.type(
    z.object({ timeZone: z.string() }),
  )`select coalesce(app_public.tenant_time_zone(), 'UTC') as "timeZone"`;

interface Window {
  zone: string;
  /** First day of the previous period, first day of the range, last day of the range (local dates). */
  previousFrom: string;
  from: string;
  to: string;
  phoneNumberId: string | undefined;
}

const localStart = (date: string, zone: string) =>
  sql.fragment`(${date}::date::timestamp at time zone ${zone})`;
const localEnd = (date: string, zone: string) =>
  sql.fragment`((${date}::date + 1)::timestamp at time zone ${zone})`;
const numberFilter = (phoneNumberId: string | undefined) =>
  phoneNumberId ? sql.fragment`and phone_number_id = ${phoneNumberId}` : sql.fragment``;

export const rollupRow = z.object({
  /** 'totals' (per period, metric and key), 'daily' (per metric and local day), 'hours' (weekday × hour). */
  grain: z.enum(['totals', 'daily', 'hours']),
  period: z.enum(['current', 'previous']).nullable(),
  metric: z.string(),
  key: z.string().nullable(),
  day: z.string().nullable(),
  weekday: z.number().nullable(),
  hour: z.number().nullable(),
  value: z.number(),
});

/**
 * The rollups of the range and of the period before it, in one scan of the compacted hours plus the
 * deltas not yet folded in (one snapshot: a concurrent compaction moves rows, never doubles them).
 */
export const rollups = (window: Window, metrics: readonly string[]) => {
  const { zone } = window;
  const start = localStart(window.from, zone);
  return sql.type(rollupRow)`
    with r as (
      select metric, key, bucket, value from app_public.analytics_hourly
      where metric = any(${sql.array(metrics, 'text')})
        and bucket >= ${localStart(window.previousFrom, zone)} and bucket < ${localEnd(window.to, zone)}
        ${numberFilter(window.phoneNumberId)}
      union all
      select metric, key, bucket, value from app_public.analytics_deltas
      where metric = any(${sql.array(metrics, 'text')})
        and bucket >= ${localStart(window.previousFrom, zone)} and bucket < ${localEnd(window.to, zone)}
        ${numberFilter(window.phoneNumberId)}
    ), labelled as (
      select metric, key, value,
             case when bucket >= ${start} then 'current' else 'previous' end as period,
             case when bucket >= ${start} then to_char(bucket at time zone ${zone}, 'YYYY-MM-DD') end as day,
             case when bucket >= ${start} then extract(isodow from bucket at time zone ${zone})::int end as weekday,
             case when bucket >= ${start} then extract(hour from bucket at time zone ${zone})::int end as hour
      from r
    )
    select case
             when grouping(period, key) = 0 then 'totals'
             when grouping(day) = 0 then 'daily'
             else 'hours'
           end as grain,
           period, metric, key, day, weekday, hour, sum(value)::float8 as value
    from labelled
    group by grouping sets ((period, metric, key), (metric, day), (metric, weekday, hour))
  `;
};

export const durationRow = z.object({
  kind: z.enum(['first_response', 'resolution']),
  userId: z.string().nullable(),
  count: z.number(),
  medianSeconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
  /** 1 for the figure over everyone, 0 for one member's (whose userId may be null: automatic). */
  overall: z.number(),
});

/** Medians and p90s of reply waits and resolutions that ended in the range, overall and per member. */
export const durations = (window: Window) => sql.type(durationRow)`
  select kind, user_id::text as "userId", count(*)::int as count,
         percentile_cont(0.5) within group (order by seconds) as "medianSeconds",
         percentile_cont(0.9) within group (order by seconds) as "p90Seconds",
         grouping(user_id) as overall
  from app_public.analytics_durations
  where ended_at >= ${localStart(window.from, window.zone)} and ended_at < ${localEnd(window.to, window.zone)}
    ${numberFilter(window.phoneNumberId)}
  group by grouping sets ((kind), (kind, user_id))
  order by grouping(user_id) desc
`;

/** Names of the workspace's members (agents' figures show who). */
export const memberNames = () =>
  sql.type(z.object({ userId: z.string(), name: z.string() }))`
    select user_id::text as "userId", coalesce(nullif(display_name, ''), email) as name from app_public.tenant_members()
  `;

/** Folds every workspace's pending deltas into hourly rows (owner; every minute). */
export const compactAll = () =>
  sql.type(z.object({ folded: z.number() }))`select app_private.analytics_compact() as folded`;

/** Workspaces whose rollups must be rebuilt (never built, or a time zone with hours starting elsewhere). */
export const rebuildsDue = () =>
  sql.type(z.object({ tenantId: z.string(), firstBuild: z.boolean() }))`
    select tenant_id as "tenantId", first_build as "firstBuild" from app_private.analytics_rebuild_due()
  `;

export const rebuildTenant = (tenantId: string, durationsToo: boolean) =>
  sql.unsafe`select app_private.analytics_rebuild_tenant(${tenantId}, ${durationsToo})`;

/** First statement of a rebuild's transaction: one snapshot for the deletes and the recount. */
export const repeatableRead = () => sql.unsafe`set transaction isolation level repeatable read`;

/** The workspace a rebuild recounts, as the scope its functions (time zone) read. */
export const scopeTo = (tenantId: string) =>
  sql.unsafe`select set_config('app.tenant_id', ${tenantId}, true), set_config('app.user_id', '', true)`;
