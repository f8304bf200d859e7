-- Accounts, sessions and password resets. parley_app cannot read app_private; these SECURITY DEFINER
-- functions are its only way in. Each gives its caller no more than the secret it presents would:
-- a password (as its argon2 output), a session token (as its sha256), a reset or invitation token.
-- So SQL run as parley_app can neither read a password hash, nor sign in as, sign out or re-password
-- someone whose secrets it does not hold. Hashing (argon2id, sha256 of tokens) is done by the server:
-- plaintext passwords and tokens never reach the database.

drop function if exists app_public.login_candidate(text);
drop function if exists app_public.user_password_hash(uuid);
drop function if exists app_public.set_password_hash(uuid, text);
drop function if exists app_public.create_session(text, uuid, timestamptz, text, inet);
drop function if exists app_public.create_password_reset(text, text, timestamptz);
drop function if exists app_public.delete_user_sessions(uuid, text);
drop function if exists app_public.my_workspaces(uuid);
drop function if exists app_public.user_profile(uuid);
drop function if exists app_public.create_workspace(uuid, text, text);
drop function if exists app_public.register_account(text, text, text);

-- The user of a live session, or null.
create or replace function app_private.session_user_id(p_session_id text) returns uuid
  language sql stable
  set search_path = pg_catalog
as $$
  select s.user_id from app_private.sessions s where s.id = p_session_id and s.expires_at > now()
$$;

create or replace function app_private.require_session_user(p_session_id text) returns uuid
  language plpgsql stable
  set search_path = pg_catalog
as $$
declare
  found_user uuid := app_private.session_user_id(p_session_id);
begin
  if found_user is null then
    raise exception 'Your session has ended. Sign in again.' using errcode = 'PY003';
  end if;
  return found_user;
end
$$;

create or replace function app_private.insert_session(
  p_id text, p_user_id uuid, p_expires_at timestamptz, p_user_agent text, p_ip inet
) returns void
  language sql volatile
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

-- Creates the account and its first session in one step: sessions are only ever created for
-- someone who just proved who they are (here: by creating the account).
create or replace function app_public.register_account(
  p_email text, p_display_name text, p_password_hash text,
  p_session_id text, p_expires_at timestamptz, p_user_agent text, p_ip inet
) returns uuid
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
  perform app_private.insert_session(p_session_id, new_id, p_expires_at, p_user_agent, p_ip);
  return new_id;
end
$$;

-- A new workspace owned by the session's user, made the session's active one.
create or replace function app_public.create_workspace(p_session_id text, p_name text, p_slug text)
  returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  owner_id uuid := app_private.require_session_user(p_session_id);
  new_id uuid;
begin
  if exists (select 1 from app_private.tenants t where t.slug = p_slug) then
    raise exception 'The workspace address "%" is taken.', p_slug using errcode = 'PY012';
  end if;
  insert into app_private.tenants (name, slug) values (p_name, p_slug) returning id into new_id;
  insert into app_public.memberships (tenant_id, user_id, role) values (new_id, owner_id, 'owner');
  update app_private.sessions set active_tenant_id = new_id where id = p_session_id;
  return new_id;
end
$$;

-- Sign-in throttling (token buckets in app_private.login_throttle_buckets). Only failures count:
--   per (account, client address): 5, then one more every 3 minutes — a guesser locks out only itself;
--   per account, from anywhere: 100 an hour — a ceiling on distributed guessing far above what one
--     stranger's address can reach, so the owner still signs in from their own address;
--   per client address, over all accounts: 30 per 10 minutes — against password spraying.
-- A successful sign-in clears its (account, address) bucket and gives back what it was charged; a
-- completed password reset clears the account's buckets.
-- A client address as throttling sees it: IPv4 addresses one by one, IPv6 by /64 (one subscriber's
-- network hands out a whole /64, so single IPv6 addresses cost an attacker nothing).
create or replace function app_private.client_key(p_ip inet) returns text
  language sql immutable
  set search_path = pg_catalog
as $$
  select case
    when p_ip is null then 'unknown'
    when family(p_ip) = 6 then network(set_masklen(p_ip, 64))::text
    else host(p_ip)
  end
$$;

create or replace function app_private.login_buckets(p_email text, p_ip inet)
  returns table (kind text, key text, rate double precision, burst double precision)
  language sql immutable
  set search_path = pg_catalog
as $$
  values
    ('pair', 'login:pair:' || lower(p_email) || '|' || app_private.client_key(p_ip), 5.0 / 900, 5.0),
    ('account', 'login:account:' || lower(p_email), 100.0 / 3600, 100.0),
    ('ip', 'login:ip:' || app_private.client_key(p_ip), 30.0 / 600, 30.0)
$$;

-- Token buckets of app_private.login_throttle_buckets (take_tokens's logic, on a table parley_app
-- cannot reach through take_tokens). Takes one token if there is one; returns whether it did.
create or replace function app_private.take_login_token(p_key text, p_rate double precision, p_burst double precision)
  returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  taken boolean;
begin
  insert into app_private.login_throttle_buckets as b (key, tokens, updated_at)
  values (p_key, p_burst - 1, clock_timestamp())
  on conflict (key) do update
    set tokens = least(p_burst, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * p_rate) - 1,
        updated_at = clock_timestamp()
    where least(p_burst, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * p_rate) >= 1
  returning true into taken;
  return coalesce(taken, false);
end
$$;

-- Whether a bucket holds less than one token now (without taking any).
create or replace function app_private.bucket_empty(p_key text, p_rate double precision, p_burst double precision)
  returns boolean
  language sql stable
  set search_path = pg_catalog
as $$
  select coalesce((
    select least(p_burst, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * p_rate) < 1
    from app_private.login_throttle_buckets b where b.key = p_key
  ), false)
$$;

create or replace function app_private.login_throttled(p_email text, p_ip inet) returns boolean
  language sql stable
  set search_path = pg_catalog
as $$
  select exists (
    select 1 from app_private.login_buckets(p_email, p_ip) r
    where app_private.bucket_empty(r.key, r.rate, r.burst)
  )
$$;

create or replace function app_private.clear_login_throttle(p_email text) returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  delete from app_private.login_throttle_buckets b
  where b.key = 'login:account:' || lower(p_email)
     or left(b.key, length('login:pair:' || lower(p_email) || '|')) = 'login:pair:' || lower(p_email) || '|'
$$;

-- The argon2 parameters and salt of an account's password (the stored hash without its output), for
-- the server to hash a candidate password with. Emails without an account (or without a password)
-- get a salt derived from the installation's secret: the same every time, indistinguishable from
-- a real one. `throttled` says the server need not bother hashing: log_in would refuse anyway.
create or replace function app_public.login_challenge(p_email text, p_ip inet)
  returns table (params text, throttled boolean)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select coalesce(
           (select substring(u.password_hash from '^(\$argon2[a-z]+\$v=\d+\$[^$]+\$[^$]+)\$[^$]+$')
            from app_private.users u where lower(u.email) = lower(p_email)),
           '$argon2id$v=19$m=19456,t=2,p=1$' || rtrim(encode(substring(sha256(
             (select s.login_pepper from app_private.instance_secrets s) || convert_to(lower(p_email), 'UTF8')
           ) from 1 for 16), 'base64'), '=')
         ),
         app_private.login_throttled(p_email, p_ip)
$$;

-- Signs in: compares the candidate hash (the password hashed with login_challenge's salt) with the
-- stored one, here, so the stored hash never leaves the database. Returns the user and creates the
-- session on success; returns null on a wrong password (so the attempt's charge commits); raises
-- PY050 when throttled.
create or replace function app_public.log_in(
  p_email text, p_ip inet, p_candidate_hash text,
  p_session_id text, p_expires_at timestamptz, p_user_agent text
) returns uuid
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  account app_private.users;
  r record;
begin
  if app_private.login_throttled(p_email, p_ip) then
    raise exception 'Too many sign-in attempts. Wait a few minutes, or reset your password.' using errcode = 'PY050';
  end if;
  -- Charge the attempt before judging it: concurrent guesses serialise on the bucket rows.
  for r in select * from app_private.login_buckets(p_email, p_ip) loop
    if not app_private.take_login_token(r.key, r.rate, r.burst) then
      raise exception 'Too many sign-in attempts. Wait a few minutes, or reset your password.' using errcode = 'PY050';
    end if;
  end loop;
  select * into account from app_private.users u where lower(u.email) = lower(p_email);
  if not found or account.password_hash is null or account.password_hash <> p_candidate_hash then
    return null;
  end if;
  -- Success is free: the (account, address) bucket starts over and the shared buckets get their token back.
  delete from app_private.login_throttle_buckets b
  using app_private.login_buckets(p_email, p_ip) l
  where l.kind = 'pair' and b.key = l.key;
  update app_private.login_throttle_buckets b set tokens = least(l.burst, b.tokens + 1)
  from app_private.login_buckets(p_email, p_ip) l
  where b.key = l.key;
  perform app_private.insert_session(p_session_id, account.id, p_expires_at, p_user_agent, p_ip);
  return account.id;
end
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

-- Signs the session's user out everywhere, optionally keeping this session.
create or replace function app_public.delete_user_sessions(p_session_id text, p_keep_this boolean)
  returns integer
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  with gone as (
    delete from app_private.sessions s
    where s.user_id = app_private.require_session_user(p_session_id)
      and (not p_keep_this or s.id <> p_session_id)
    returning 1
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
    where s.id = p_session_id and s.expires_at > now()
  ) then
    raise exception 'You are not a member of that workspace.' using errcode = 'PY020';
  end if;
  update app_private.sessions set active_tenant_id = p_tenant_id where id = p_session_id;
end
$$;

create or replace function app_public.my_workspaces(p_session_id text)
  returns table (tenant_id uuid, name text, slug text, role app_public.member_role, status text, joined_at timestamptz)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select t.id, t.name, t.slug, m.role, t.status, m.created_at
  from app_public.memberships m
  join app_private.tenants t on t.id = m.tenant_id
  where m.user_id = app_private.session_user_id(p_session_id)
  order by m.created_at
$$;

create or replace function app_public.user_profile(p_session_id text)
  returns table (id uuid, email text, display_name text, is_platform_admin boolean)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select u.id, u.email, u.display_name, u.is_platform_admin
  from app_private.users u
  where u.id = app_private.session_user_id(p_session_id)
$$;

-- Changes the session user's password, given the current one as a candidate hash (see log_in).
-- Voids outstanding reset links (one could have been requested by whoever knew the old password's
-- mailbox) and signs out every other session. Returns false for a wrong current password, charging
-- the guess to the account's sign-in budget (5 per session holder, within the account's ceiling), so
-- a stolen session cannot be used to find out the password.
drop function if exists app_public.change_password(text, text, text);
create or replace function app_public.change_password(p_session_id text, p_current_hash text, p_new_hash text)
  returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  account app_private.users;
  pair_key text := 'login:pair:session|' || p_session_id;
  account_key text;
begin
  select * into account from app_private.users u where u.id = app_private.require_session_user(p_session_id)
  for update;
  account_key := 'login:account:' || lower(account.email);
  -- Refused before comparing, so a throttled guess learns nothing, right or wrong.
  if app_private.bucket_empty(pair_key, 5.0 / 900, 5.0) or app_private.bucket_empty(account_key, 100.0 / 3600, 100.0) then
    raise exception 'Too many attempts. Wait a few minutes, or reset your password.' using errcode = 'PY050';
  end if;
  if account.password_hash is null or account.password_hash <> p_current_hash then
    perform app_private.take_login_token(pair_key, 5.0 / 900, 5.0),
            app_private.take_login_token(account_key, 100.0 / 3600, 100.0);
    return false;
  end if;
  update app_private.users set password_hash = p_new_hash where id = account.id;
  update app_private.password_resets set used_at = now() where user_id = account.id and used_at is null;
  delete from app_private.sessions where user_id = account.id and id <> p_session_id;
  delete from app_private.login_throttle_buckets where key = pair_key;
  return true;
end
$$;

-- Records a reset token for the account with this email; returns nothing when there is none. Not
-- callable by parley_app: the mail job creates the token (as the owner) so no request ever sees it.
create or replace function app_private.create_password_reset(p_email text, p_token_hash text, p_expires_at timestamptz)
  returns table (user_id uuid, email text, display_name text)
  language sql volatile
  set search_path = pg_catalog
as $$
  insert into app_private.password_resets (id, user_id, expires_at)
  select p_token_hash, u.id, p_expires_at from app_private.users u where lower(u.email) = lower(p_email)
  returning user_id,
    (select u.email from app_private.users u where u.id = password_resets.user_id),
    (select u.display_name from app_private.users u where u.id = password_resets.user_id)
$$;
revoke all on function app_private.create_password_reset(text, text, timestamptz) from public;

-- Uses a reset token once: sets the new password hash, voids the user's other reset tokens, signs the
-- user out everywhere and lifts sign-in throttling (the owner proved they hold the mailbox).
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
  perform app_private.clear_login_throttle(u.email) from app_private.users u where u.id = reset_user;
  return reset_user;
end
$$;

select app_private.grant_functions_to_app(
    'app_public.register_account(text, text, text, text, timestamptz, text, inet)',
    'app_public.create_workspace(text, text, text)',
    'app_public.login_challenge(text, inet)',
    'app_public.log_in(text, inet, text, text, timestamptz, text)',
    'app_public.validate_session(text, interval, interval)',
    'app_public.delete_session(text)',
    'app_public.delete_user_sessions(text, boolean)',
    'app_public.set_active_tenant(text, uuid)',
    'app_public.my_workspaces(text)',
    'app_public.user_profile(text)',
    'app_public.change_password(text, text, text)',
    'app_public.consume_password_reset(text, text)'
);

create or replace function app_public.platform_slug_taken(p_slug text) returns boolean
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select exists (select 1 from app_private.tenants t where t.slug = p_slug)
$$;
select app_private.grant_functions_to_app('app_public.platform_slug_taken(text)');
