--! Previous: sha1:9c147cf36f03d787d90983c2418325ca748a7d00
--! Hash: sha1:c44926293b628b502de8919c928fc301ed97a394
--! Message: analytics: hourly rollups, their pending deltas, response and resolution durations

-- Issue 24. Dashboards read rollups, never the message tables: triggers append per-statement deltas
-- (insert only, so concurrent webhook batches never contend on a hot counter row), a job folds them
-- into one row per (metric, local hour, number, key), and readers sum both, so figures are exact the
-- moment a transaction commits. Buckets start at the tenant's local hours (time_zone), so days and
-- hours in its time zone are exact, half-hour zones included; state records which zone they follow.

-- Who sent an outbound message (null: an integration, a campaign, or Meta's side): agent figures.
alter table app_public.messages
  add column sent_by_user_id uuid references app_private.users (id) on delete set null;

create table app_public.analytics_deltas (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id bigint generated always as identity,
  bucket timestamptz not null,
  phone_number_id uuid,
  metric text not null,
  key text not null default '',
  value bigint not null,
  primary key (tenant_id, id)
);
create index analytics_deltas_bucket_idx on app_public.analytics_deltas (tenant_id, bucket);

create table app_public.analytics_hourly (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id bigint generated always as identity,
  metric text not null,
  bucket timestamptz not null,
  -- Null for what belongs to no number (contacts gained, opt-outs).
  phone_number_id uuid,
  key text not null default '',
  value bigint not null,
  primary key (tenant_id, id),
  constraint analytics_hourly_key unique nulls not distinct (tenant_id, metric, bucket, phone_number_id, key)
);

-- One row per reply wait and per resolution: medians and p90s need the values, not sums.
create table app_public.analytics_durations (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  kind text not null check (kind in ('first_response', 'resolution')),
  conversation_id uuid not null,
  phone_number_id uuid,
  user_id uuid references app_private.users (id) on delete set null,
  started_at timestamptz not null,
  ended_at timestamptz not null,
  seconds double precision generated always as (extract(epoch from ended_at - started_at)) stored,
  primary key (tenant_id, id),
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade,
  check (ended_at >= started_at)
);
create index analytics_durations_range_idx on app_public.analytics_durations (tenant_id, kind, ended_at);

-- The time zone each workspace's rollups were built in; a change of its sub-hour offset rebuilds them.
create table app_private.analytics_state (
  tenant_id uuid primary key references app_private.tenants (id) on delete cascade,
  time_zone text not null,
  rebuilt_at timestamptz not null default now()
);
