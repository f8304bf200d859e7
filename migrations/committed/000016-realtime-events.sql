--! Previous: sha1:406629cfab2035dcee467cf1360d5f4e4ad5172c
--! Hash: sha1:1a417a7db29adbd60dac21caad843179bb3b14f7
--! Message: realtime events

-- The realtime bus (issue 20): triggers (sql/triggers/realtime.sql) record what changed — ids only,
-- never content — one row per statement and tenant, and NOTIFY after commit; each node's listener
-- fans the events out to its subscribers (server/realtime/). Rows are kept for
-- REALTIME_RETENTION_MINUTES so a client that reconnects resumes from its last event id; older ones
-- are pruned, and a client behind the pruned horizon is told to resync.
create table app_private.realtime_events (
  tenant_id uuid not null,
  -- Monotonic across the database: the order events were recorded in (commit order may differ; the
  -- writer's transaction id tells a resuming reader which earlier ids may have committed later).
  id bigint generated always as identity,
  kind text not null check (kind ~ '^[a-z]+(\.[a-z_]+)*$'),
  entity_ids uuid[] not null,
  conversation_ids uuid[] not null default '{}',
  xid xid8 not null default pg_current_xact_id(),
  created_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index realtime_events_created_at_idx on app_private.realtime_events (created_at);
-- Readers look for events of transactions that were still running when they last read.
create index realtime_events_running_idx on app_private.realtime_events (tenant_id, xid);

-- The highest event id the pruning removed: a cursor below it may have missed events.
create table app_private.realtime_horizon (
  singleton boolean primary key default true check (singleton),
  pruned_through bigint not null default 0
);
insert into app_private.realtime_horizon default values;
