-- Accounts, sessions and password resets. parley_app cannot read app_private; these SECURITY DEFINER
-- functions are its only way in, each doing one narrow thing. Hashing (argon2id, sha256 of tokens) is
-- done by the server: plaintext passwords and tokens never reach the database.

create or replace function app_public.register_account(p_email text, p_display_name text, p_password_hash text)
  returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  new_id uuid;
begin
  if exists (select 1 from app_private.users u where lower(u.email) = lower(p_email)) then
    raise exception 'An account with this email already exists.' using errcode = 'PY010';
  end if;
  insert into app_private.users (email, display_name, password_hash)
  values (p_email, p_display_name, p_password_hash)
  returning id into new_id;
  return new_id;
end
$$;

create or replace function app_public.create_workspace(p_user_id uuid, p_name text, p_slug text)
  returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  new_id uuid;
begin
  if exists (select 1 from app_private.tenants t where t.slug = p_slug) then
    raise exception 'The workspace address "%" is taken.', p_slug using errcode = 'PY012';
  end if;
  insert into app_private.tenants (name, slug) values (p_name, p_slug) returning id into new_id;
  insert into app_public.memberships (tenant_id, user_id, role) values (new_id, p_user_id, 'owner');
  return new_id;
end
$$;

create or replace function app_public.login_candidate(p_email text)
  returns table (user_id uuid, password_hash text)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select u.id, u.password_hash from app_private.users u where lower(u.email) = lower(p_email)
$$;

create or replace function app_public.user_password_hash(p_user_id uuid)
  returns text
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select u.password_hash from app_private.users u where u.id = p_user_id
$$;

create or replace function app_public.create_session(
  p_id text, p_user_id uuid, p_expires_at timestamptz, p_user_agent text, p_ip inet
) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  insert into app_private.sessions (id, user_id, active_tenant_id, expires_at, user_agent, ip)
  values (
    p_id, p_user_id,
    -- Start in the workspace joined first; the user switches from there.
    (select m.tenant_id from app_public.memberships m where m.user_id = p_user_id order by m.created_at limit 1),
    p_expires_at, left(p_user_agent, 400), p_ip
  )
$$;

-- Looks a session up, drops it when expired, and slides its expiry forward when it is within
-- p_refresh_within of ending (so active users stay signed in, idle ones are signed out).
create or replace function app_public.validate_session(p_id text, p_lifetime interval, p_refresh_within interval)
  returns table (
    user_id uuid, email text, display_name text, is_platform_admin boolean, expires_at timestamptz,
    tenant_id uuid, role app_public.member_role, tenant_status text
  )
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  s app_private.sessions;
begin
  select * into s from app_private.sessions where id = p_id;
  if not found then
    return;
  end if;
  if s.expires_at <= now() then
    delete from app_private.sessions where id = p_id;
    return;
  end if;
  if s.expires_at - now() < p_refresh_within then
    update app_private.sessions set expires_at = now() + p_lifetime, last_seen_at = now()
    where id = p_id returning * into s;
  end if;
  return query
    select u.id, u.email, u.display_name, u.is_platform_admin, s.expires_at, m.tenant_id, m.role, t.status
    from app_private.users u
    left join app_public.memberships m on m.user_id = u.id and m.tenant_id = s.active_tenant_id
    left join app_private.tenants t on t.id = m.tenant_id
    where u.id = s.user_id;
end
$$;

create or replace function app_public.delete_session(p_id text) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  delete from app_private.sessions where id = p_id
$$;

-- Signs a user out everywhere, optionally keeping the session making the request.
create or replace function app_public.delete_user_sessions(p_user_id uuid, p_keep_id text default null)
  returns integer
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  with gone as (
    delete from app_private.sessions where user_id = p_user_id and id is distinct from p_keep_id returning 1
  )
  select count(*)::int from gone
$$;

create or replace function app_public.set_active_tenant(p_session_id text, p_tenant_id uuid) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not exists (
    select 1 from app_private.sessions s
    join app_public.memberships m on m.user_id = s.user_id and m.tenant_id = p_tenant_id
    where s.id = p_session_id
  ) then
    raise exception 'You are not a member of that workspace.' using errcode = 'PY020';
  end if;
  update app_private.sessions set active_tenant_id = p_tenant_id where id = p_session_id;
end
$$;

create or replace function app_public.my_workspaces(p_user_id uuid)
  returns table (tenant_id uuid, name text, slug text, role app_public.member_role, status text, joined_at timestamptz)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select t.id, t.name, t.slug, m.role, t.status, m.created_at
  from app_public.memberships m
  join app_private.tenants t on t.id = m.tenant_id
  where m.user_id = p_user_id
  order by m.created_at
$$;

create or replace function app_public.user_profile(p_user_id uuid)
  returns table (id uuid, email text, display_name text, is_platform_admin boolean)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select u.id, u.email, u.display_name, u.is_platform_admin from app_private.users u where u.id = p_user_id
$$;

create or replace function app_public.set_password_hash(p_user_id uuid, p_password_hash text) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  update app_private.users set password_hash = p_password_hash where id = p_user_id
$$;

-- Records a reset token for the account with this email; returns nothing when there is none, and the
-- caller answers the same either way (no account enumeration).
create or replace function app_public.create_password_reset(p_email text, p_token_hash text, p_expires_at timestamptz)
  returns table (user_id uuid, email text, display_name text)
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  insert into app_private.password_resets (id, user_id, expires_at)
  select p_token_hash, u.id, p_expires_at from app_private.users u where lower(u.email) = lower(p_email)
  returning user_id,
    (select u.email from app_private.users u where u.id = password_resets.user_id),
    (select u.display_name from app_private.users u where u.id = password_resets.user_id)
$$;

-- Uses a reset token once: sets the new password hash, voids the user's other reset tokens and
-- signs the user out everywhere.
create or replace function app_public.consume_password_reset(p_token_hash text, p_password_hash text)
  returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  reset_user uuid;
begin
  update app_private.password_resets set used_at = now()
  where id = p_token_hash and used_at is null and expires_at > now()
  returning user_id into reset_user;
  if reset_user is null then
    raise exception 'This password reset link is invalid or has expired. Ask for a new one.' using errcode = 'PY011';
  end if;
  update app_private.users set password_hash = p_password_hash where id = reset_user;
  update app_private.password_resets set used_at = now() where user_id = reset_user and used_at is null;
  delete from app_private.sessions where user_id = reset_user;
  return reset_user;
end
$$;

select app_private.grant_functions_to_app(
    'app_public.register_account(text, text, text)',
    'app_public.create_workspace(uuid, text, text)',
    'app_public.login_candidate(text)',
    'app_public.user_password_hash(uuid)',
    'app_public.create_session(text, uuid, timestamptz, text, inet)',
    'app_public.validate_session(text, interval, interval)',
    'app_public.delete_session(text)',
    'app_public.delete_user_sessions(uuid, text)',
    'app_public.set_active_tenant(text, uuid)',
    'app_public.my_workspaces(uuid)',
    'app_public.user_profile(uuid)',
    'app_public.set_password_hash(uuid, text)',
    'app_public.create_password_reset(text, text, timestamptz)',
    'app_public.consume_password_reset(text, text)'
);

create or replace function app_public.platform_slug_taken(p_slug text) returns boolean
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select exists (select 1 from app_private.tenants t where t.slug = p_slug)
$$;
select app_private.grant_functions_to_app('app_public.platform_slug_taken(text)');
