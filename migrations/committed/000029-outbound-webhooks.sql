--! Previous: sha1:c44926293b628b502de8919c928fc301ed97a394
--! Hash: sha1:9838b4ab3ca5662e355902fd4d641d09929a16ef
--! Message: outbound webhooks: endpoints, their secrets, deliveries; notices about disabled endpoints

-- Outbound webhooks for integrators (issue 23, item 2). Triggers (sql/triggers/outbound-webhooks.sql)
-- turn events into one delivery row per subscribed endpoint in the event's own transaction; the outbox
-- (server/jobs/outbox.ts) queues their webhook.deliver jobs in that same transaction.

create table app_public.webhook_endpoints (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  url text not null check (url ~ '^https?://' and length(url) <= 2000),
  description text check (length(description) <= 200),
  events text[] not null check (cardinality(events) > 0),
  enabled boolean not null default true,
  -- Why it was turned off (by a member, or after failing for a day), null while enabled.
  disabled_reason text,
  disabled_at timestamptz,
  -- Set by the first failed attempt after a success; cleared by a success.
  failing_since timestamptz,
  last_success_at timestamptz,
  last_failure_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create index webhook_endpoints_enabled_idx on app_public.webhook_endpoints using gin (events) where enabled;

-- Each endpoint's signing secret: AES-256-GCM ciphertext with its key id, reached by parley_app only
-- through SECURITY DEFINER functions (sql/functions/95-outbound-webhooks.sql).
create table app_private.webhook_endpoint_secrets (
  endpoint_id uuid primary key,
  tenant_id uuid not null,
  secret bytea not null,
  secret_key_id text not null,
  updated_at timestamptz not null default now(),
  foreign key (tenant_id, endpoint_id) references app_public.webhook_endpoints (tenant_id, id) on delete cascade
);

-- One event for one endpoint, with every attempt's outcome (the delivery log). A replay is a new row
-- with the same event_id.
create table app_public.webhook_endpoint_deliveries (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  endpoint_id uuid not null,
  event_id uuid not null,
  event_type text not null,
  payload jsonb not null,
  status text not null default 'pending' check (status in ('pending', 'retrying', 'succeeded', 'failed')),
  attempts integer not null default 0,
  response_status integer,
  response_body text check (length(response_body) <= 2000),
  error text,
  duration_ms integer,
  replay_of uuid,
  last_attempt_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, endpoint_id) references app_public.webhook_endpoints (tenant_id, id) on delete cascade
);
create index webhook_endpoint_deliveries_endpoint_idx
  on app_public.webhook_endpoint_deliveries (tenant_id, endpoint_id, id desc);

-- Deliveries whose webhook.deliver job is not queued yet: the outbox takes its transaction's own before
-- commit; the webhook.dispatch job takes those of transactions that had no outbox.
create table app_private.webhook_deliveries_unqueued (
  delivery_id uuid primary key,
  tenant_id uuid not null,
  created_at timestamptz not null default now()
);
create index webhook_deliveries_unqueued_tenant_idx on app_private.webhook_deliveries_unqueued (tenant_id);

-- Notices without a conversation: an endpoint disabled after failing for a day.
alter table app_public.notifications alter column conversation_id drop not null;
alter table app_public.notifications drop constraint notifications_kind_check;
alter table app_public.notifications add column webhook_endpoint_id uuid;
alter table app_public.notifications
  add constraint notifications_kind_check check (
    kind in ('mention', 'assigned', 'webhook_disabled')
    and (kind = 'webhook_disabled') = (conversation_id is null)
    and (kind = 'webhook_disabled') = (webhook_endpoint_id is not null)
  ),
  add constraint notifications_webhook_endpoint_fk foreign key (tenant_id, webhook_endpoint_id)
    references app_public.webhook_endpoints (tenant_id, id) on delete cascade;
