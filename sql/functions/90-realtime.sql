-- The realtime bus (issue 20). Statement-level triggers (sql/triggers/realtime.sql) read the rows a
-- statement changed from its transition tables and record, per tenant, ONE event row naming the ids
-- (never content) in app_private.realtime_events; a trigger on that table NOTIFYs 'parley_realtime'
-- with "<tenant>:<event id>", delivered by PostgreSQL after commit, in commit order. So a webhook batch
-- of 500 messages costs one insert and one notification, not 500. Each node's listener
-- (server/realtime/listener.ts) fans the events out to its subscribers, which load the rows under RLS.
--
-- Later features (assignments, notes, campaigns…) announce their changes with
-- app_public.record_realtime_event(kind, entity_ids, conversation_ids) from their own statements or
-- triggers, for the tenant in scope; server/realtime/visibility.ts says which roles receive each kind.

create or replace function app_private.tg_realtime_events__notify() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  perform pg_notify('parley_realtime', e.tenant_id::text || ':' || e.id::text) from new_events e;
  return null;
end
$$;

-- Records one event for the tenant in scope (the hook for features that have no trigger of their own).
create or replace function app_public.record_realtime_event(p_kind text, p_entity_ids uuid[], p_conversation_ids uuid[] default '{}')
  returns bigint
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  tenant uuid := app_public.current_tenant_id();
  event_id bigint;
begin
  if tenant is null then
    raise exception 'record_realtime_event needs a tenant in scope' using errcode = '42501';
  end if;
  insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
  values (tenant, p_kind, coalesce(p_entity_ids, '{}'), coalesce(p_conversation_ids, '{}'))
  returning id into event_id;
  return event_id;
end
$$;

-- The rows a statement wrote, as one event per tenant: tg_argv[0] is the event's kind, tg_argv[1] what
-- a row is or names (sql/triggers/realtime.sql says which for each table):
--   'message'       a message: its id and its conversation (new messages);
--   'conversation'  a conversation: its id, as entity and conversation (new conversations);
--   'status'        a status of the message whose wamid it carries, when that message exists (a status
--                   may come before its message: then the message's own insert announces it; this
--                   covers statuses that change no message column, a 'failed' already shown, pricing);
--   'reaction'      a reaction (insert, or the latest replacing one) on a message that exists.
-- PL/pgSQL plans each branch for the table it fires on when the branch first runs, so every branch
-- reads its own table's columns.
create or replace function app_private.tg_realtime__record() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  case tg_argv[1]
    when 'message' then
      insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
      select n.tenant_id, tg_argv[0], array_agg(n.id), array_agg(distinct n.conversation_id)
      from new_rows n group by n.tenant_id;
    when 'conversation' then
      insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
      select n.tenant_id, tg_argv[0], array_agg(n.id), array_agg(n.id)
      from new_rows n group by n.tenant_id;
    when 'status' then
      insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
      select m.tenant_id, tg_argv[0], array_agg(distinct m.id), array_agg(distinct m.conversation_id)
      from new_rows n join app_public.messages m on m.tenant_id = n.tenant_id and m.wamid = n.wamid
      group by m.tenant_id;
    when 'reaction' then
      insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
      select m.tenant_id, tg_argv[0], array_agg(distinct m.id), array_agg(distinct m.conversation_id)
      from new_rows n join app_public.messages m on m.tenant_id = n.tenant_id and m.wamid = n.message_wamid
      group by m.tenant_id;
  end case;
  return null;
end
$$;

-- Changed messages: what a thread shows of them (status from Meta's status webhooks, error, wamid,
-- text); a send claim or a timestamp alone is no event.
create or replace function app_private.tg_messages__realtime_update() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
  select n.tenant_id, 'message.updated', array_agg(n.id), array_agg(distinct n.conversation_id)
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where (n.status, n.error, n.wamid, n.body, n.content) is distinct from (o.status, o.error, o.wamid, o.body, o.content)
  group by n.tenant_id;
  return null;
end
$$;

-- A conversation moved (last message, unread count, status, assignee): only rows that really changed.
create or replace function app_private.tg_conversations__realtime_update() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
  select n.tenant_id, 'conversation.updated', array_agg(n.id), array_agg(n.id)
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where n is distinct from o
  group by n.tenant_id;
  return null;
end
$$;

-- Membership changes (role changed, member removed or added): the subscriptions of those users end
-- or follow their new role (server/realtime/hub.ts); entity ids are user ids.
create or replace function app_private.tg_memberships__realtime() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if tg_op = 'DELETE' then
    insert into app_private.realtime_events (tenant_id, kind, entity_ids)
    select o.tenant_id, 'membership.changed', array_agg(o.user_id) from old_rows o group by o.tenant_id;
  else
    insert into app_private.realtime_events (tenant_id, kind, entity_ids)
    select n.tenant_id, 'membership.changed', array_agg(n.user_id) from new_rows n group by n.tenant_id;
  end if;
  return null;
end
$$;

-- The events of the tenant in scope a reader has not seen yet, given its cursor: the last event id it
-- saw (p_after) and the oldest transaction that was still running when it read (p_running_from, that
-- snapshot's xmin). Ids are handed out in insert order but transactions commit in their own order, so
-- besides the events after p_after this returns those of transactions that were still running then
-- (xid ≥ p_running_from), which may have committed since with a smaller id; readers skip the ones they
-- already have. Each row carries this snapshot's xmin, the reader's next p_running_from (a row without
-- an event when there is none). `resync` is true when events after p_after were pruned already: the
-- reader must reload everything.
create or replace function app_public.realtime_events_since(p_after bigint, p_running_from xid8, p_limit integer)
  returns table (id bigint, kind text, entity_ids uuid[], conversation_ids uuid[], running_from xid8, resync boolean)
  language plpgsql stable security definer
  set search_path = pg_catalog
as $$
declare
  horizon xid8 := pg_snapshot_xmin(pg_current_snapshot());
begin
  if p_after < (select h.pruned_through from app_private.realtime_horizon h) then
    return query select null::bigint, null::text, null::uuid[], null::uuid[], horizon, true;
    return;
  end if;
  return query
    select e.id, e.kind, e.entity_ids, e.conversation_ids, horizon, false
    from (
      (select * from app_private.realtime_events a
       where a.tenant_id = app_public.current_tenant_id() and a.id > p_after
       order by a.id limit p_limit)
      union
      -- Re-reads: bounded to writers that started in the last five minutes, so an old transaction
      -- elsewhere on the server (which holds xmin back) cannot make every read return the tenant's
      -- whole history. A writer open for longer than that may be missed by a client that reconnects
      -- (live subscribers still get it).
      select * from app_private.realtime_events r
      where r.tenant_id = app_public.current_tenant_id() and r.xid >= p_running_from and r.id <= p_after
        and r.created_at > now() - interval '5 minutes'
    ) e
    order by e.id;
  if not found then
    -- Nothing new: one row without an event, for the horizon.
    return query select null::bigint, null::text, null::uuid[], null::uuid[], horizon, false;
  end if;
end
$$;

-- Where a new subscriber starts: the last event id, and the oldest transaction still running.
create or replace function app_public.realtime_position()
  returns table (last_id bigint, running_from xid8)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  -- (When everything was pruned, the horizon is the last id: a reader starting there has missed nothing.)
  select greatest((select max(e.id) from app_private.realtime_events e), (select h.pruned_through from app_private.realtime_horizon h), 0),
         pg_snapshot_xmin(pg_current_snapshot())
$$;

-- The role a subscriber still has in the tenant in scope: its session must be live and its user a
-- member (null otherwise, and the subscription ends).
create or replace function app_public.realtime_subscriber_role(p_session_id text) returns text
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select m.role::text from app_public.memberships m
  where m.tenant_id = app_public.current_tenant_id()
    and m.user_id = app_private.session_user_id(p_session_id)
$$;

-- Drops events older than the cutoff and moves the horizon (owner only: the realtime.prune job).
create or replace function app_private.prune_realtime_events(p_before timestamptz) returns integer
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  deleted integer;
  highest bigint;
begin
  with gone as (
    delete from app_private.realtime_events e where e.created_at < p_before returning e.id
  )
  select count(*), max(gone.id) into deleted, highest from gone;
  if highest is not null then
    update app_private.realtime_horizon set pruned_through = greatest(pruned_through, highest);
  end if;
  return deleted;
end
$$;

select app_private.grant_functions_to_app(
  'app_public.record_realtime_event(text, uuid[], uuid[])',
  'app_public.realtime_events_since(bigint, xid8, integer)',
  'app_public.realtime_position()',
  'app_public.realtime_subscriber_role(text)'
);
