-- Webhook retention (issue 17): app_private.webhook_deliveries is range-partitioned by id, one
-- partition per UTC day (webhook_deliveries_YYYYMMDD), plus the default partition for ids outside the
-- prepared days. Ids are uuidv7: their first 48 bits are milliseconds since the epoch, so a day is the
-- id range between the uuids of its first and the next day's first millisecond. Called by the
-- webhook.retention job (server/domains/webhooks/retention.ts) as the owner; parley_app gets nothing.

-- The smallest uuidv7 of a millisecond: its timestamp, then zeros.
create or replace function app_private.uuid_v7_floor(p_at timestamptz) returns uuid
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select (lpad(to_hex(floor(extract(epoch from p_at) * 1000)::bigint), 12, '0') || repeat('0', 20))::uuid
$$;
revoke all on function app_private.uuid_v7_floor(timestamptz) from public;

-- Creates the partitions of p_days days from p_from on that do not exist yet; returns how many. A day
-- whose deliveries already landed in the default partition stays there (it is purged row by row).
create or replace function app_private.prepare_webhook_delivery_days(p_from date, p_days integer)
  returns integer
  language plpgsql volatile
  set search_path = pg_catalog
  set lock_timeout = '5s'
as $$
declare
  day date;
  low uuid;
  high uuid;
  name text;
  created integer := 0;
begin
  -- One retention run at a time (several worker nodes, a run at start beside a scheduled one).
  perform pg_advisory_xact_lock(hashtext('parley:webhook-retention'));
  for day in select generate_series(p_from, p_from + greatest(p_days - 1, 0), interval '1 day')::date loop
    name := 'webhook_deliveries_' || to_char(day, 'YYYYMMDD');
    continue when to_regclass('app_private.' || name) is not null;
    low := app_private.uuid_v7_floor(day::timestamp at time zone 'UTC');
    high := app_private.uuid_v7_floor((day + 1)::timestamp at time zone 'UTC');
    continue when exists (
      select 1 from app_private.webhook_deliveries_default d where d.id >= low and d.id < high
    );
    execute format(
      'create table app_private.%I partition of app_private.webhook_deliveries for values from (%L) to (%L)',
      name, low, high
    );
    created := created + 1;
  end loop;
  return created;
end
$$;
revoke all on function app_private.prepare_webhook_delivery_days(date, integer) from public;

-- Drops every day that ended at or before p_before (detach, drop: no row-by-row delete, nothing left
-- to vacuum), with the platform's unrouted changes of its deliveries, and deletes the default
-- partition's deliveries received before p_before. The webhook log is purged per workspace by the job
-- (webhooks/processing/retention.ts), under row-level security.
create or replace function app_private.drop_webhook_delivery_days(p_before timestamptz)
  returns table (dropped_days integer, deleted_rows integer)
  language plpgsql volatile
  set search_path = pg_catalog
  set lock_timeout = '5s'
as $$
declare
  part text;
  day date;
begin
  perform pg_advisory_xact_lock(hashtext('parley:webhook-retention'));
  dropped_days := 0;
  for part in
    select c.relname from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'app_private.webhook_deliveries'::regclass
      and c.relname ~ '^webhook_deliveries_[0-9]{8}$'
    order by c.relname
  loop
    day := to_date(substr(part, length('webhook_deliveries_') + 1), 'YYYYMMDD');
    continue when (day + 1)::timestamp at time zone 'UTC' > p_before;
    delete from app_private.unrouted_webhook_events u
    where u.delivery_id >= app_private.uuid_v7_floor(day::timestamp at time zone 'UTC')
      and u.delivery_id < app_private.uuid_v7_floor((day + 1)::timestamp at time zone 'UTC');
    execute format('alter table app_private.webhook_deliveries detach partition app_private.%I', part);
    execute format('drop table app_private.%I', part);
    dropped_days := dropped_days + 1;
  end loop;
  delete from app_private.webhook_deliveries_default d where d.received_at < p_before;
  get diagnostics deleted_rows = row_count;
  -- Claims left by jobs that never finished (their delivery may be gone with its day) lapsed long ago.
  delete from app_private.webhook_claims c where c.claimed_until < now() - interval '1 day';
  return next;
end
$$;
revoke all on function app_private.drop_webhook_delivery_days(timestamptz) from public;
