-- Media (issue 19): inbound media queued for fetching with the statement that stores its message, the
-- per-workspace storage count capped by the plan, and the deletion helpers (retention, GDPR erase).

-- Every media message stored from Meta (inbound, or an echo of one the business sent from its phone)
-- gets its media row (pending) in the same statement: one insert for the whole batch, whichever path
-- stored the messages (the set-based batch or one at a time). Its media.fetch job is queued by the
-- same transaction through pg-boss's own insert (queueMediaFetches, domains/media/fetch-queue.ts,
-- called by webhook processing before it commits): the row waits with fetch_queued_at null until
-- then. Parley's own outbound messages (no wamid yet when stored) are left out: an agent uploaded
-- their media. SECURITY DEFINER so that the row is added whoever stores the message.
create or replace function app_private.tg_messages__add_media()
  returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  insert into app_public.media (tenant_id, message_id, direction, kind, mime_type, filename, status, meta_media_id, voice)
  select n.tenant_id, n.id, n.direction, n.type,
         left(coalesce(n.content -> n.type ->> 'mime_type', 'application/octet-stream'), 255),
         left(n.content -> n.type ->> 'filename', 255), 'pending', n.content -> n.type ->> 'id',
         coalesce((n.content -> n.type ->> 'voice')::boolean, false)
  from inserted n
  where n.type in ('image', 'video', 'audio', 'document', 'sticker')
    and n.content -> n.type ->> 'id' is not null
    and (n.direction = 'inbound' or n.wamid is not null);
  return null;
end
$$;
revoke all on function app_private.tg_messages__add_media() from public;
-- Replaced by tg_messages__add_media: it wrote pgboss.job itself, bound to pg-boss's table layout.
drop function if exists app_private.tg_messages__queue_media_fetch() cascade;

-- The workspace's stored bytes follow its media rows; storing past the plan's cap fails with PY060.
create or replace function app_private.tg_media__count_storage()
  returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  v_tenant uuid := coalesce(new.tenant_id, old.tenant_id);
  v_delta bigint :=
    (case when tg_op <> 'DELETE' and new.status = 'stored' then new.byte_size else 0 end)
    - (case when tg_op <> 'INSERT' and old.status = 'stored' then old.byte_size else 0 end);
  v_cap bigint;
  v_used bigint;
begin
  if v_delta = 0 then
    return null;
  end if;
  insert into app_public.media_usage (tenant_id) values (v_tenant) on conflict (tenant_id) do nothing;
  if v_delta > 0 then
    select p.media_storage_bytes into v_cap
    from app_private.tenants t join app_private.plans p on p.id = t.plan_id where t.id = v_tenant;
    update app_public.media_usage u set stored_bytes = u.stored_bytes + v_delta
    where u.tenant_id = v_tenant and u.stored_bytes + v_delta <= v_cap
    returning u.stored_bytes into v_used;
    if v_used is null then
      raise exception 'This workspace''s media storage is full (the plan allows % MB); delete old media or change the plan.',
        v_cap / 1048576 using errcode = 'PY060';
    end if;
  else
    update app_public.media_usage u set stored_bytes = greatest(u.stored_bytes + v_delta, 0)
    where u.tenant_id = v_tenant;
  end if;
  return null;
end
$$;
revoke all on function app_private.tg_media__count_storage() from public;

-- Media storage of the workspace in scope: bytes used and the plan's cap.
create or replace function app_public.media_storage()
  returns table (used_bytes bigint, cap_bytes bigint, retention_days integer)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select coalesce((select u.stored_bytes from app_public.media_usage u where u.tenant_id = t.id), 0),
         p.media_storage_bytes, t.media_retention_days
  from app_private.tenants t join app_private.plans p on p.id = t.plan_id
  where t.id = app_public.current_tenant_id()
$$;
revoke all on function app_public.media_storage() from public;
grant execute on function app_public.media_storage() to parley_app;

-- How many days the workspace in scope keeps media (null: keep). Admins only (checked by the caller).
create or replace function app_public.set_media_retention(p_days integer)
  returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  update app_private.tenants set media_retention_days = p_days where id = app_public.current_tenant_id()
$$;
revoke all on function app_public.set_media_retention(integer) from public;
grant execute on function app_public.set_media_retention(integer) to parley_app;

-- Workspaces that keep media for a limited time (the retention job visits each, under its tenant).
create or replace function app_private.media_retention_tenants()
  returns table (tenant_id uuid, retention_days integer)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select t.id, t.media_retention_days from app_private.tenants t where t.media_retention_days is not null
$$;
revoke all on function app_private.media_retention_tenants() from public;

-- A media file changing state (downloaded, unavailable, deleted) changes its message's bubble: the
-- realtime bus announces it as a message update (sql/functions/90-realtime.sql), so an open thread
-- replaces its "downloading…" placeholder without polling.
create or replace function app_private.tg_media__realtime() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if to_regclass('app_private.realtime_events') is null then
    return null;
  end if;
  insert into app_private.realtime_events (tenant_id, kind, entity_ids, conversation_ids)
  select m.tenant_id, 'message.media', array_agg(distinct m.id), array_agg(distinct m.conversation_id)
  from new_rows n
  join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  join app_public.messages m on m.tenant_id = n.tenant_id and m.id = n.message_id
  where n.status is distinct from o.status
  group by m.tenant_id;
  return null;
end
$$;
revoke all on function app_private.tg_media__realtime() from public;
