-- Memberships, invitations and tenant status rules.

-- A workspace always keeps an owner: removing or demoting the last one is refused. The check reads
-- other rows than the one changed, so under READ COMMITTED two transactions could each see the other's
-- owner still there (both owners leaving at once) and leave none. Locking the workspace row first
-- serialises them: the second waits for the first to commit, then sees its change.
create or replace function app_private.tg_memberships__keep_an_owner() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if old.role <> 'owner' or (tg_op = 'UPDATE' and new.role = 'owner') then
    return null;
  end if;
  perform 1 from app_private.tenants t where t.id = old.tenant_id for no key update;
  if not found then
    return null; -- the workspace itself is being deleted
  end if;
  if not exists (
    select 1 from app_public.memberships m where m.tenant_id = old.tenant_id and m.role = 'owner'
  ) then
    raise exception 'A workspace needs at least one owner: transfer ownership first.' using errcode = 'PY002';
  end if;
  return null;
end
$$;

-- Takes the same workspace lock as the trigger above, at the start of a membership change, so the
-- change reads roles no concurrent change can alter before it commits (and locks in one order).
-- FOR NO KEY UPDATE leaves the foreign-key checks of tenant rows' inserts unblocked.
create or replace function app_public.lock_tenant_memberships() returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  perform 1 from app_private.tenants t where t.id = app_public.current_tenant_id() for no key update;
end
$$;

-- Refuses work that a suspended workspace may not do (sending); reading and receiving go on.
create or replace function app_public.assert_tenant_active() returns void
  language plpgsql stable security definer
  set search_path = pg_catalog
as $$
begin
  if exists (
    select 1 from app_private.tenants t where t.id = app_public.current_tenant_id() and t.status = 'suspended'
  ) then
    raise exception 'This workspace is suspended: sending is disabled. Contact your Parley operator.'
      using errcode = 'PY001';
  end if;
end
$$;

-- Joins the invitation's workspace with its role, once, while it is valid and a seat is free, and
-- makes it the session's active workspace. The joiner is the session's user (never a user id the
-- caller names).
drop function if exists app_public.accept_invitation(text, uuid);
create or replace function app_public.accept_invitation(p_token_hash text, p_session_id text)
  returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  p_user_id uuid := app_private.require_session_user(p_session_id);
  inv app_public.invitations;
  seat_limit integer;
  seats_used integer;
begin
  select * into inv from app_public.invitations i where i.token_hash = p_token_hash for update;
  if not found or inv.revoked_at is not null or inv.accepted_at is not null or inv.expires_at <= now() then
    raise exception 'This invitation is invalid, used or expired. Ask for a new one.' using errcode = 'PY032';
  end if;
  if exists (select 1 from app_public.memberships m where m.tenant_id = inv.tenant_id and m.user_id = p_user_id) then
    raise exception 'You are already a member of this workspace.' using errcode = 'PY031';
  end if;
  select p.seats into seat_limit
  from app_private.tenants t join app_private.plans p on p.id = t.plan_id
  where t.id = inv.tenant_id
  for no key update of t; -- serialises concurrent acceptances (and owner changes) for one workspace
  select count(*) into seats_used from app_public.memberships m where m.tenant_id = inv.tenant_id;
  if seats_used >= seat_limit then
    raise exception 'This workspace has used all % seats of its plan.', seat_limit using errcode = 'PY030';
  end if;
  insert into app_public.memberships (tenant_id, user_id, role) values (inv.tenant_id, p_user_id, inv.role);
  update app_public.invitations set accepted_at = now(), accepted_by = p_user_id
  where tenant_id = inv.tenant_id and id = inv.id;
  update app_private.sessions set active_tenant_id = inv.tenant_id where id = p_session_id;
  return inv.tenant_id;
end
$$;

-- Display names and emails of the members of the tenant in scope (users live in app_private).
create or replace function app_public.tenant_members()
  returns table (user_id uuid, email text, display_name text, role app_public.member_role, joined_at timestamptz)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select u.id, u.email, u.display_name, m.role, m.created_at
  from app_public.memberships m
  join app_private.users u on u.id = m.user_id
  where m.tenant_id = app_public.current_tenant_id()
  order by m.created_at
$$;

-- Seat use of the tenant in scope, for the members page and invitation checks.
create or replace function app_public.tenant_plan()
  returns table (plan_id text, plan_name text, messages_per_minute integer, monthly_conversations integer,
                 seats integer, channels integer, seats_used integer)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select p.id, p.name, p.messages_per_minute, p.monthly_conversations, p.seats, p.channels,
         (select count(*)::int from app_public.memberships m where m.tenant_id = t.id)
  from app_private.tenants t join app_private.plans p on p.id = t.plan_id
  where t.id = app_public.current_tenant_id()
$$;

-- API key authentication: the tenant, scopes and status for a key hash; marks the key used (at most
-- once a minute, to keep hot keys from writing on every request).
create or replace function app_public.authenticate_api_key(p_key_hash text)
  returns table (key_id uuid, tenant_id uuid, scopes text[], tenant_status text)
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  return query
    with used as (
      update app_public.api_keys k set last_used_at = now()
      where k.key_hash = p_key_hash and k.revoked_at is null
        and (k.last_used_at is null or k.last_used_at < now() - interval '1 minute')
      returning k.id
    )
    select k.id, k.tenant_id, k.scopes, t.status
    from app_public.api_keys k
    join app_private.tenants t on t.id = k.tenant_id
    left join used on used.id = k.id
    where k.key_hash = p_key_hash and k.revoked_at is null;
end
$$;

select app_private.grant_functions_to_app(
    'app_public.assert_tenant_active()',
    'app_public.accept_invitation(text, text)',
    'app_public.lock_tenant_memberships()',
    'app_public.tenant_members()',
    'app_public.tenant_plan()',
    'app_public.authenticate_api_key(text)'
);
