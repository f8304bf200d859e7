--! Previous: -
--! Hash: sha1:0efea9d1d9af162111e96f2564138dc1ec29efc6
--! Message: foundation: roles, schemas, tenants, users, memberships

-- Roles. parley_app runs every runtime query; it can log in only through the owner's session
-- (startup option role=parley_app), never bypasses RLS and owns nothing.
do $$
begin
  if not exists (select from pg_roles where rolname = 'parley_app') then
    create role parley_app nologin;
  end if;
end
$$;
alter role parley_app nologin nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
grant parley_app to current_user;

-- Schemas: app_public holds tenant tables under RLS; app_private holds platform tables and secrets,
-- reached by parley_app only through SECURITY DEFINER functions.
create schema app_public;
create schema app_private;
revoke all on schema app_public from public;
revoke all on schema app_private from public;
grant usage on schema app_public to parley_app;

-- Time-ordered uuid (RFC 9562 v7) for PostgreSQL 15-17, which lack uuidv7().
create function app_public.uuid_generate_v7() returns uuid
  language sql volatile parallel safe
  set search_path = pg_catalog
as $$
  select encode(
    set_bit(
      set_bit(
        overlay(uuid_send(gen_random_uuid())
                placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
                from 1 for 6),
        52, 1),
      53, 1),
    'hex')::uuid
$$;
grant execute on function app_public.uuid_generate_v7() to parley_app;

create table app_private.schema_definitions (
  singleton boolean primary key default true check (singleton),
  hash text not null,
  applied_at timestamptz not null default now()
);

create table app_private.tenants (
  id uuid primary key default app_public.uuid_generate_v7(),
  slug text not null unique check (slug ~ '^[a-z0-9](?:[a-z0-9-]{0,46}[a-z0-9])?$'),
  name text not null check (length(trim(name)) between 1 and 120),
  status text not null default 'active' check (status in ('active', 'suspended')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table app_private.users (
  id uuid primary key default app_public.uuid_generate_v7(),
  email text not null check (length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+$'),
  display_name text not null check (length(trim(display_name)) between 1 and 120),
  password_hash text,
  is_platform_admin boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index users_email_key on app_private.users (lower(email));

create type app_public.member_role as enum ('owner', 'admin', 'agent', 'viewer');

create table app_public.memberships (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  user_id uuid not null references app_private.users (id) on delete cascade,
  role app_public.member_role not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);
create index memberships_user_id_idx on app_public.memberships (user_id);
