-- Analytics rollups (issue 24). Triggers append deltas per statement; app_private.analytics_compact()
-- folds them into analytics_hourly every minute; app_private.analytics_rebuild() recomputes a
-- workspace's rollups from the source tables (first run, or a time zone whose hours start elsewhere).
--
-- Metrics (key in brackets):
--   messages.in / messages.out [type]        by the message's time
--   messages.sent / delivered / read          outbound, by the message's time (late statuses fold into
--                                             the hour the message was sent: a cohort, so rates add up)
--   messages.failed [error code]              outbound, by the message's time
--   agent.replies [user id]                   outbound messages an agent wrote
--   conversations.opened                      a conversation's first message
--   conversations.resolved / reopened [user]  status changes, by their time (user '' for automatic)
--   contacts.created / contacts.opted_out     by their time, no number

-- Pure helpers the triggers call as parley_app (so in app_public).

-- The start of the tenant-local hour holding p_at (date_trunc in the zone, so DST and half-hour zones
-- give the zone's own hours).
create or replace function app_public.analytics_bucket(p_at timestamptz, p_zone text) returns timestamptz
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select date_trunc('hour', p_at, p_zone)
$$;

-- How far along an outbound message is: 1 accepted by Meta, 2 delivered, 3 read (played counts as read).
create or replace function app_public.analytics_status_rank(p_status text) returns integer
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select case p_status when 'sent' then 1 when 'delivered' then 2 when 'read' then 3 when 'played' then 3 else 0 end
$$;

-- The code a failed message is reported under: Meta's (send answer or status webhook) or Parley's kind.
create or replace function app_public.analytics_failure_key(p_error jsonb) returns text
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select coalesce(p_error ->> 'code', p_error -> 0 ->> 'code', p_error ->> 'kind', 'unknown')
$$;

-- The milestones a message passed between two statuses, as (metric, key) rows.
create or replace function app_public.analytics_status_steps(p_old text, p_new text, p_error jsonb)
  returns table (metric text, key text)
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select s.metric, s.key
  from (values
    ('messages.sent', '', 1),
    ('messages.delivered', '', 2),
    ('messages.read', '', 3)
  ) as s(metric, key, rank)
  where app_public.analytics_status_rank(p_new) >= s.rank
    and app_public.analytics_status_rank(coalesce(p_old, 'pending')) < s.rank
  union all
  select 'messages.failed', app_public.analytics_failure_key(p_error)
  where p_new = 'failed' and p_old is distinct from 'failed'
$$;

-- Messages inserted: volumes by type, agent replies, milestones already reached (a message stored
-- as sent), and the wait each agent reply ended.
create or replace function app_private.tg_messages__analytics_insert() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  zone text := coalesce(app_public.tenant_time_zone(), 'UTC');
begin
  insert into app_public.analytics_deltas (tenant_id, bucket, phone_number_id, metric, key, value)
  select n.tenant_id, app_public.analytics_bucket(n.occurred_at, zone), c.phone_number_id, m.metric, m.key, count(*)
  from new_rows n
  join app_public.conversations c on c.tenant_id = n.tenant_id and c.id = n.conversation_id
  cross join lateral (
    select case n.direction when 'inbound' then 'messages.in' else 'messages.out' end, n.type
    union all
    select 'agent.replies', n.sent_by_user_id::text where n.sent_by_user_id is not null
    union all
    select s.metric, s.key from app_public.analytics_status_steps(null, n.status, n.error) s
    where n.direction = 'outbound'
  ) as m(metric, key)
  group by 1, 2, 3, 4, 5;

  -- First response: from the customer's first message after the previous agent reply to this one.
  insert into app_public.analytics_durations
    (tenant_id, kind, conversation_id, phone_number_id, user_id, started_at, ended_at)
  select n.tenant_id, 'first_response', n.conversation_id, c.phone_number_id, n.sent_by_user_id, w.since, n.occurred_at
  from new_rows n
  join app_public.conversations c on c.tenant_id = n.tenant_id and c.id = n.conversation_id
  cross join lateral (
    select min(i.occurred_at) as since
    from app_public.messages i
    where i.tenant_id = n.tenant_id and i.conversation_id = n.conversation_id and i.direction = 'inbound'
      and i.occurred_at <= n.occurred_at
      and i.occurred_at > coalesce((
        select max(o.occurred_at) from app_public.messages o
        where o.tenant_id = n.tenant_id and o.conversation_id = n.conversation_id
          and o.direction = 'outbound' and o.sent_by_user_id is not null
          and o.occurred_at <= n.occurred_at and o.id <> n.id
      ), '-infinity')
  ) w
  where n.direction = 'outbound' and n.sent_by_user_id is not null and w.since is not null;
  return null;
end
$$;
revoke all on function app_private.tg_messages__analytics_insert() from public;

-- Messages updated: the delivery milestones each outbound message passed (statuses never go back).
create or replace function app_private.tg_messages__analytics_status() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  zone text;
begin
  if not exists (
    select from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    where n.direction = 'outbound' and n.status is distinct from o.status
  ) then
    return null;
  end if;
  zone := coalesce(app_public.tenant_time_zone(), 'UTC');
  insert into app_public.analytics_deltas (tenant_id, bucket, phone_number_id, metric, key, value)
  select n.tenant_id, app_public.analytics_bucket(n.occurred_at, zone), c.phone_number_id, s.metric, s.key, count(*)
  from new_rows n
  join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  join app_public.conversations c on c.tenant_id = n.tenant_id and c.id = n.conversation_id
  cross join lateral app_public.analytics_status_steps(o.status, n.status, n.error) s
  where n.direction = 'outbound' and n.status is distinct from o.status
  group by 1, 2, 3, 4, 5;
  return null;
end
$$;
revoke all on function app_private.tg_messages__analytics_status() from public;

create or replace function app_private.tg_conversations__analytics_opened() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  zone text := coalesce(app_public.tenant_time_zone(), 'UTC');
begin
  insert into app_public.analytics_deltas (tenant_id, bucket, phone_number_id, metric, value)
  select n.tenant_id, app_public.analytics_bucket(n.created_at, zone), n.phone_number_id, 'conversations.opened', count(*)
  from new_rows n
  group by 1, 2, 3;
  return null;
end
$$;
revoke all on function app_private.tg_conversations__analytics_opened() from public;

-- Status activities: resolutions (with how long since the conversation was opened or last reopened)
-- and reopenings.
create or replace function app_private.tg_conversation_activities__analytics() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  zone text;
begin
  if not exists (select from new_rows n where n.action = 'status' and n.status in ('resolved', 'open')) then
    return null;
  end if;
  zone := coalesce(app_public.tenant_time_zone(), 'UTC');
  insert into app_public.analytics_deltas (tenant_id, bucket, phone_number_id, metric, key, value)
  select n.tenant_id, app_public.analytics_bucket(n.created_at, zone), c.phone_number_id,
         case n.status when 'resolved' then 'conversations.resolved' else 'conversations.reopened' end,
         coalesce(n.actor_user_id::text, ''), count(*)
  from new_rows n
  join app_public.conversations c on c.tenant_id = n.tenant_id and c.id = n.conversation_id
  where n.action = 'status' and n.status in ('resolved', 'open')
  group by 1, 2, 3, 4, 5;

  insert into app_public.analytics_durations
    (tenant_id, kind, conversation_id, phone_number_id, user_id, started_at, ended_at)
  select n.tenant_id, 'resolution', n.conversation_id, c.phone_number_id, n.actor_user_id,
         least(n.created_at, coalesce((
           select max(a.created_at) from app_public.conversation_activities a
           where a.tenant_id = n.tenant_id and a.conversation_id = n.conversation_id
             and a.action = 'status' and a.status = 'open' and a.created_at <= n.created_at and a.id <> n.id
         ), c.created_at)),
         n.created_at
  from new_rows n
  join app_public.conversations c on c.tenant_id = n.tenant_id and c.id = n.conversation_id
  where n.action = 'status' and n.status = 'resolved';
  return null;
end
$$;
revoke all on function app_private.tg_conversation_activities__analytics() from public;

create or replace function app_private.tg_contacts__analytics_created() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  zone text := coalesce(app_public.tenant_time_zone(), 'UTC');
begin
  insert into app_public.analytics_deltas (tenant_id, bucket, metric, value)
  select n.tenant_id, app_public.analytics_bucket(n.created_at, zone), 'contacts.created', count(*)
  from new_rows n
  group by 1, 2;
  return null;
end
$$;
revoke all on function app_private.tg_contacts__analytics_created() from public;

create or replace function app_private.tg_contacts__analytics_opted_out() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  zone text;
begin
  if not exists (
    select from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    where n.opted_out_at is not null and o.opted_out_at is null
  ) then
    return null;
  end if;
  zone := coalesce(app_public.tenant_time_zone(), 'UTC');
  insert into app_public.analytics_deltas (tenant_id, bucket, metric, value)
  select n.tenant_id, app_public.analytics_bucket(n.opted_out_at, zone), 'contacts.opted_out', count(*)
  from new_rows n
  join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where n.opted_out_at is not null and o.opted_out_at is null
  group by 1, 2;
  return null;
end
$$;
revoke all on function app_private.tg_contacts__analytics_opted_out() from public;

-- Folds a workspace's pending deltas into its hourly rows (one transaction: readers, who sum
-- both in one snapshot, never count a delta twice or miss it).
create or replace function app_private.analytics_compact_tenant(p_tenant uuid) returns integer
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  folded integer;
begin
  with moved as (
    delete from app_public.analytics_deltas where tenant_id = p_tenant returning tenant_id, bucket, phone_number_id, metric, key, value
  ), summed as (
    insert into app_public.analytics_hourly (tenant_id, metric, bucket, phone_number_id, key, value)
    select tenant_id, metric, bucket, phone_number_id, key, sum(value)
    from moved
    group by tenant_id, metric, bucket, phone_number_id, key
    on conflict on constraint analytics_hourly_key
      do update set value = app_public.analytics_hourly.value + excluded.value
    returning 1
  )
  select count(*) into folded from summed;
  return folded;
end
$$;
revoke all on function app_private.analytics_compact_tenant(uuid) from public;

-- Recomputes a workspace's rollups from the source tables in its current time zone (the owner runs
-- it, so every statement names the workspace rather than trusting row-level security). The
-- caller runs it in a REPEATABLE READ transaction: deltas committed after its snapshot are kept and
-- their rows are not in the snapshot, so nothing counts twice. Durations do not depend on the zone;
-- with p_durations they are recomputed too (first build of a workspace with history).
create or replace function app_private.analytics_rebuild_tenant(p_tenant uuid, p_durations boolean) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  tenant uuid := p_tenant;
  zone text := (select t.time_zone from app_private.tenants t where t.id = p_tenant);
begin
  delete from app_public.analytics_deltas d where d.tenant_id = tenant;
  delete from app_public.analytics_hourly h where h.tenant_id = tenant;

  insert into app_public.analytics_hourly (tenant_id, metric, bucket, phone_number_id, key, value)
  select tenant, metric, bucket, phone_number_id, key, sum(value)
  from (
    select app_public.analytics_bucket(m.occurred_at, zone) as bucket, c.phone_number_id, x.metric, x.key, 1 as value
    from app_public.messages m
    join app_public.conversations c on c.tenant_id = m.tenant_id and c.id = m.conversation_id
    cross join lateral (
      select case m.direction when 'inbound' then 'messages.in' else 'messages.out' end, m.type
      union all
      select 'agent.replies', m.sent_by_user_id::text where m.sent_by_user_id is not null
      union all
      select s.metric, s.key from app_public.analytics_status_steps(null, m.status, m.error) s
      where m.direction = 'outbound'
    ) as x(metric, key)
    where m.tenant_id = tenant
    union all
    select app_public.analytics_bucket(c.created_at, zone), c.phone_number_id, 'conversations.opened', '', 1
    from app_public.conversations c where c.tenant_id = tenant
    union all
    select app_public.analytics_bucket(a.created_at, zone), c.phone_number_id,
           case a.status when 'resolved' then 'conversations.resolved' else 'conversations.reopened' end,
           coalesce(a.actor_user_id::text, ''), 1
    from app_public.conversation_activities a
    join app_public.conversations c on c.tenant_id = a.tenant_id and c.id = a.conversation_id
    where a.tenant_id = tenant and a.action = 'status' and a.status in ('resolved', 'open')
    union all
    select app_public.analytics_bucket(k.created_at, zone), null, 'contacts.created', '', 1
    from app_public.contacts k where k.tenant_id = tenant
    union all
    select app_public.analytics_bucket(k.opted_out_at, zone), null, 'contacts.opted_out', '', 1
    from app_public.contacts k where k.tenant_id = tenant and k.opted_out_at is not null
  ) rows
  group by metric, bucket, phone_number_id, key;

  if p_durations then
    delete from app_public.analytics_durations d where d.tenant_id = tenant;
    -- Each agent reply ends the wait begun by the first customer message after the previous reply.
    insert into app_public.analytics_durations
      (tenant_id, kind, conversation_id, phone_number_id, user_id, started_at, ended_at)
    select tenant, 'first_response', r.conversation_id, c.phone_number_id, r.sent_by_user_id, r.since, r.occurred_at
    from (
      select m.conversation_id, m.sent_by_user_id, m.occurred_at, (
        select min(i.occurred_at) from app_public.messages i
        where i.tenant_id = tenant and i.conversation_id = m.conversation_id and i.direction = 'inbound' and i.occurred_at <= m.occurred_at
          and i.occurred_at > coalesce((
            select max(o.occurred_at) from app_public.messages o
            where o.tenant_id = tenant and o.conversation_id = m.conversation_id and o.direction = 'outbound'
              and o.sent_by_user_id is not null and o.occurred_at <= m.occurred_at and o.id <> m.id
          ), '-infinity')
      ) as since
      from app_public.messages m
      where m.tenant_id = tenant and m.direction = 'outbound' and m.sent_by_user_id is not null
    ) r
    join app_public.conversations c on c.tenant_id = tenant and c.id = r.conversation_id
    where r.since is not null;

    insert into app_public.analytics_durations
      (tenant_id, kind, conversation_id, phone_number_id, user_id, started_at, ended_at)
    select tenant, 'resolution', a.conversation_id, c.phone_number_id, a.actor_user_id,
           least(a.created_at, coalesce((
             select max(b.created_at) from app_public.conversation_activities b
             where b.tenant_id = tenant and b.conversation_id = a.conversation_id and b.action = 'status' and b.status = 'open'
               and b.created_at <= a.created_at and b.id <> a.id
           ), c.created_at)),
           a.created_at
    from app_public.conversation_activities a
    join app_public.conversations c on c.tenant_id = tenant and c.id = a.conversation_id
    where a.tenant_id = tenant and a.action = 'status' and a.status = 'resolved';
  end if;

  insert into app_private.analytics_state (tenant_id, time_zone, rebuilt_at)
  values (tenant, zone, now())
  on conflict (tenant_id) do update set time_zone = excluded.time_zone, rebuilt_at = excluded.rebuilt_at;
end
$$;
revoke all on function app_private.analytics_rebuild_tenant(uuid, boolean) from public;

-- The workspaces whose rollups need a rebuild: never built, or built in a zone whose hours start at
-- another minute now (Kolkata's :30 against UTC's :00). A change between whole-hour zones keeps them.
create or replace function app_private.analytics_rebuild_due() returns table (tenant_id uuid, first_build boolean)
  language sql stable
  set search_path = pg_catalog
as $$
  select t.id, s.tenant_id is null
  from app_private.tenants t
  left join app_private.analytics_state s on s.tenant_id = t.id
  where s.tenant_id is null
     or extract(minute from date_trunc('hour', now(), s.time_zone) at time zone t.time_zone) <> 0
$$;
revoke all on function app_private.analytics_rebuild_due() from public;

-- Every workspace's pending deltas folded in (the analytics.rollup job, every minute). The scope is set
-- per workspace too, so this also holds for an owner that row-level security applies to.
create or replace function app_private.analytics_compact() returns integer
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  tenant uuid;
  folded integer := 0;
begin
  for tenant in select t.id from app_private.tenants t loop
    perform set_config('app.tenant_id', tenant::text, true);
    folded := folded + app_private.analytics_compact_tenant(tenant);
  end loop;
  perform set_config('app.tenant_id', '', true);
  return folded;
end
$$;
revoke all on function app_private.analytics_compact() from public;
