--! Previous: sha1:0efea9d1d9af162111e96f2564138dc1ec29efc6
--! Hash: sha1:ce9951aa51ea3dfbdefa58f684a20c3a23446848
--! Message: accounts: plans, tenant status, sessions, password resets, invitations, api keys, rate limits

-- Accounts: plans, tenant status, sessions, password resets, invitations, API keys, rate limits.

-- Plans are data: operators change limits without a deploy.
create table app_private.plans (
  id text primary key check (id ~ '^[a-z][a-z0-9-]{1,30}$'),
  name text not null,
  messages_per_minute integer not null check (messages_per_minute > 0),
  monthly_conversations integer not null check (monthly_conversations >= 0),
  seats integer not null check (seats > 0),
  channels integer not null check (channels >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
insert into app_private.plans (id, name, messages_per_minute, monthly_conversations, seats, channels) values
  ('free', 'Free', 60, 1000, 3, 1),
  ('starter', 'Starter', 120, 10000, 10, 3),
  ('pro', 'Pro', 300, 100000, 50, 10);

alter table app_private.tenants
  add column plan_id text not null default 'free' references app_private.plans (id),
  add column suspended_at timestamptz,
  add column suspended_reason text;
alter table app_private.tenants
  add constraint tenants_suspension_consistent
  check ((status = 'suspended') = (suspended_at is not null));

-- Sessions (the Lucia design): the client holds a random token; only its sha256 is stored.
create table app_private.sessions (
  id text primary key check (id ~ '^[0-9a-f]{64}$'),
  user_id uuid not null references app_private.users (id) on delete cascade,
  active_tenant_id uuid references app_private.tenants (id) on delete set null,
  user_agent text,
  ip inet,
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now(),
  expires_at timestamptz not null
);
create index sessions_user_id_idx on app_private.sessions (user_id);
create index sessions_expires_at_idx on app_private.sessions (expires_at);

create table app_private.password_resets (
  id text primary key check (id ~ '^[0-9a-f]{64}$'),
  user_id uuid not null references app_private.users (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at timestamptz
);
create index password_resets_user_id_idx on app_private.password_resets (user_id);

-- Token buckets for throttling (login now; sends later). tokens refill at `rate` per second up to `burst`.
create table app_private.rate_limit_buckets (
  key text primary key,
  tokens double precision not null,
  updated_at timestamptz not null default clock_timestamp()
);

create table app_public.invitations (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  email text not null check (length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+$'),
  role app_public.member_role not null check (role <> 'owner'),
  token_hash text not null unique check (token_hash ~ '^[0-9a-f]{64}$'),
  invited_by uuid references app_private.users (id) on delete set null,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid references app_private.users (id) on delete set null,
  revoked_at timestamptz,
  primary key (tenant_id, id)
);

create table app_public.api_keys (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  name text not null check (length(trim(name)) between 1 and 80),
  prefix text not null check (prefix ~ '^pk_[a-z0-9]{8}$'),
  key_hash text not null unique check (key_hash ~ '^[0-9a-f]{64}$'),
  scopes text[] not null check (scopes <@ array['read', 'write', 'manage'] and cardinality(scopes) > 0),
  created_by uuid references app_private.users (id) on delete set null,
  created_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  primary key (tenant_id, id)
);
