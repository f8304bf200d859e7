--! Previous: sha1:ce9951aa51ea3dfbdefa58f684a20c3a23446848
--! Hash: sha1:6f7dc421a78d5d359507aae897e5e5a8a355761b
--! Message: whatsapp: channels, phone numbers, webhook deliveries and events, contacts, conversations, messages, statuses, reactions, templates

-- WhatsApp channels, webhook ingest and the messaging core (contacts, conversations, messages,
-- statuses, reactions, templates).

create table app_public.channels (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  name text not null check (length(trim(name)) between 1 and 80),
  meta_app_id text not null check (meta_app_id ~ '^[0-9]{1,20}$'),
  waba_id text not null unique check (waba_id ~ '^[0-9]{1,20}$'),
  -- The secret-free key in the webhook URL Meta calls: /webhooks/whatsapp/<app_key>.
  app_key text not null unique check (app_key ~ '^[a-z0-9]{20,40}$'),
  graph_api_base_url text,
  graph_api_version text not null check (graph_api_version ~ '^v[0-9]{1,3}\.[0-9]$'),
  status text not null default 'active' check (status in ('active', 'needs_reauth', 'disabled')),
  token_expires_at timestamptz,
  last_tested_at timestamptz,
  last_test_error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);

-- Secrets never leave the server: AES-256-GCM ciphertexts (iv ‖ tag ‖ data), each with its key id.
create table app_private.channel_secrets (
  channel_id uuid primary key,
  tenant_id uuid not null,
  app_secret bytea not null,
  app_secret_key_id text not null,
  access_token bytea not null,
  access_token_key_id text not null,
  verify_token bytea not null,
  verify_token_key_id text not null,
  updated_at timestamptz not null default now(),
  foreign key (tenant_id, channel_id) references app_public.channels (tenant_id, id) on delete cascade
);

create table app_public.phone_numbers (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  channel_id uuid not null,
  -- A number belongs to exactly one tenant.
  phone_number_id text not null unique check (phone_number_id ~ '^[0-9]{1,20}$'),
  display_phone_number text not null,
  verified_name text,
  quality_rating text,
  messaging_limit_tier text,
  throughput_mps integer not null default 80 check (throughput_mps between 1 and 1000),
  status text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, channel_id) references app_public.channels (tenant_id, id) on delete cascade
);

-- Every POST Meta makes, stored before it is acknowledged.
create table app_private.webhook_deliveries (
  id uuid primary key default app_public.uuid_generate_v7(),
  app_key text not null,
  received_at timestamptz not null default now(),
  body text not null,
  status text not null default 'received' check (status in ('received', 'processed', 'failed', 'invalid_json')),
  error text,
  attempts integer not null default 0,
  processed_at timestamptz
);
create index webhook_deliveries_received_at_idx on app_private.webhook_deliveries (received_at);
create index webhook_deliveries_pending_idx on app_private.webhook_deliveries (received_at) where status in ('received', 'failed');

-- Changes of a delivery that no tenant claims (unknown phone number or WABA), for the platform admin.
create table app_private.unrouted_webhook_events (
  id uuid primary key default app_public.uuid_generate_v7(),
  delivery_id uuid not null references app_private.webhook_deliveries (id) on delete cascade,
  change_index integer not null,
  field text not null,
  phone_number_id text,
  waba_id text,
  payload jsonb not null,
  created_at timestamptz not null default now(),
  unique (delivery_id, change_index)
);

-- The per-tenant webhook log: one row per change routed to the tenant.
create table app_public.webhook_events (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  delivery_id uuid not null references app_private.webhook_deliveries (id) on delete cascade,
  -- Position of the change within the delivery (entry, change): replays overwrite, never duplicate.
  change_index integer not null,
  field text not null,
  summary text not null,
  payload jsonb not null,
  status text not null default 'processed' check (status in ('processed', 'failed')),
  error text,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, delivery_id, change_index)
);
create index webhook_events_recent_idx on app_public.webhook_events (tenant_id, created_at desc);

create table app_public.contacts (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  wa_id text check (wa_id ~ '^[0-9]{5,20}$'),
  bsuid text,
  profile_name text,
  username text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, wa_id),
  unique (tenant_id, bsuid),
  check (wa_id is not null or bsuid is not null)
);

create table app_public.conversations (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  phone_number_id uuid not null,
  contact_id uuid not null,
  status text not null default 'open' check (status in ('open', 'pending', 'resolved')),
  assigned_user_id uuid references app_private.users (id) on delete set null,
  last_message_at timestamptz,
  last_message_preview text,
  -- The 24-hour customer-service window opens with each inbound message.
  last_inbound_at timestamptz,
  unread_count integer not null default 0 check (unread_count >= 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, phone_number_id, contact_id),
  foreign key (tenant_id, phone_number_id) references app_public.phone_numbers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, contact_id) references app_public.contacts (tenant_id, id) on delete cascade
);
create index conversations_inbox_idx on app_public.conversations (tenant_id, last_message_at desc nulls last);
create index conversations_contact_idx on app_public.conversations (tenant_id, contact_id);

create table app_public.messages (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  conversation_id uuid not null,
  wamid text,
  direction text not null check (direction in ('inbound', 'outbound')),
  type text not null,
  -- Text or caption: what previews and search show.
  body text,
  -- The message object as Meta sent it (inbound) or as Parley sends it (outbound).
  content jsonb not null,
  context_wamid text,
  status text not null check (status in ('received', 'pending', 'sent', 'delivered', 'read', 'played', 'failed', 'deleted')),
  error jsonb,
  -- Meta's timestamp for inbound messages; when Parley created it for outbound.
  occurred_at timestamptz not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, wamid),
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade
);
create index messages_conversation_idx on app_public.messages (tenant_id, conversation_id, occurred_at desc, id desc);

-- One row per (wamid, status): statuses may arrive before their message, out of order, more than once.
create table app_public.message_statuses (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  wamid text not null,
  status text not null check (status in ('sent', 'delivered', 'read', 'played', 'failed', 'deleted')),
  occurred_at timestamptz not null,
  recipient_id text,
  recipient_user_id text,
  pricing jsonb,
  conversation jsonb,
  errors jsonb,
  created_at timestamptz not null default now(),
  primary key (tenant_id, wamid, status)
);

create table app_public.message_reactions (
  tenant_id uuid not null,
  message_wamid text not null,
  contact_id uuid not null,
  emoji text not null,
  reaction_wamid text,
  reacted_at timestamptz not null,
  primary key (tenant_id, message_wamid, contact_id),
  foreign key (tenant_id, contact_id) references app_public.contacts (tenant_id, id) on delete cascade
);

create table app_public.templates (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  channel_id uuid not null,
  meta_template_id text,
  name text not null,
  language text not null,
  category text,
  status text not null,
  quality_score text,
  rejected_reason text,
  components jsonb not null default '[]',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, channel_id, name, language),
  unique (tenant_id, meta_template_id),
  foreign key (tenant_id, channel_id) references app_public.channels (tenant_id, id) on delete cascade
);
