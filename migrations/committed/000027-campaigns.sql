--! Previous: sha1:9218ade1769722ad54da716721a338b40d4747c0
--! Hash: sha1:9c147cf36f03d787d90983c2418325ca748a7d00
--! Message: campaigns: tenant time zone, segments, campaigns, recipients

-- Campaigns (issue 21, items 4-7). The runner (server/domains/campaigns/runner.ts) turns a segment into
-- one campaign_recipients row per contact, then queues each recipient's template message through the
-- same outbox and message.send batch sender as every other send.

-- The workspace's time zone (IANA name): a campaign scheduled "at 09:00" means 09:00 there.
alter table app_private.tenants add column time_zone text not null default 'UTC';

-- Meta answered 131026 ("message undeliverable": not on WhatsApp) for a send to this contact; campaigns
-- leave such contacts out unless the user insists. Set by a trigger on messages (sql/triggers/campaigns.sql).
alter table app_public.contacts add column not_on_whatsapp_at timestamptz;

-- Saved audiences: a filter over contacts (the contacts domain's contactFilterSchema), or an uploaded list.
create table app_public.segments (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  name text not null check (length(trim(name)) between 1 and 80),
  kind text not null check (kind in ('filter', 'list')),
  filter jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index segments_name_idx on app_public.segments (tenant_id, lower(name));

-- The contacts of an uploaded list.
create table app_public.segment_members (
  tenant_id uuid not null,
  segment_id uuid not null,
  contact_id uuid not null,
  primary key (tenant_id, segment_id, contact_id),
  foreign key (tenant_id, segment_id) references app_public.segments (tenant_id, id) on delete cascade,
  foreign key (tenant_id, contact_id) references app_public.contacts (tenant_id, id) on delete cascade
);

create table app_public.campaigns (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  name text not null check (length(trim(name)) between 1 and 120),
  status text not null default 'scheduled'
    check (status in ('scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed')),
  -- Why a campaign failed or waits (template no longer approved, messaging limit reached).
  status_reason text,
  phone_number_id uuid not null,
  template_id uuid not null,
  segment_id uuid,
  include_not_on_whatsapp boolean not null default false,
  -- Per template variable: where its value comes from and the fallback (campaigns/schemas.ts).
  variables jsonb not null default '{}',
  header_media_url text,
  -- null: at once.
  scheduled_at timestamptz,
  -- Local hours of the recipient (its country's zone) within which messages may go: [start, end).
  window_start_minute integer check (window_start_minute between 0 and 1439),
  window_end_minute integer check (window_end_minute between 1 and 1440),
  max_rate integer check (max_rate between 1 and 1000),
  -- Expansion: contacts are written as recipients in batches, in id order, after this contact.
  expand_cursor uuid,
  expanded_at timestamptz,
  recipient_count integer not null default 0,
  -- The max_rate bucket: recipients released so far and since when (the runner's own pacing).
  released_at timestamptz,
  created_by uuid references app_private.users (id) on delete set null,
  started_at timestamptz,
  finished_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  check ((window_start_minute is null) = (window_end_minute is null)),
  foreign key (tenant_id, phone_number_id) references app_public.phone_numbers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, template_id) references app_public.templates (tenant_id, id) on delete cascade,
  foreign key (tenant_id, segment_id) references app_public.segments (tenant_id, id) on delete set null (segment_id)
);
create index campaigns_list_idx on app_public.campaigns (tenant_id, created_at desc);

-- One row per contact and campaign: the primary key is the exactly-once guarantee's first half (the
-- other: a recipient leaves 'pending' in the transaction that inserts its message).
create table app_public.campaign_recipients (
  tenant_id uuid not null,
  campaign_id uuid not null,
  contact_id uuid not null,
  status text not null default 'pending'
    check (status in ('pending', 'queued', 'sent', 'delivered', 'read', 'failed', 'skipped', 'cancelled')),
  message_id uuid,
  error_code integer,
  error_message text,
  -- Outside the send window: not picked before this time.
  not_before timestamptz,
  queued_at timestamptz,
  replied_at timestamptz,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, campaign_id, contact_id),
  foreign key (tenant_id, campaign_id) references app_public.campaigns (tenant_id, id) on delete cascade,
  foreign key (tenant_id, contact_id) references app_public.contacts (tenant_id, id) on delete cascade,
  foreign key (tenant_id, message_id) references app_public.messages (tenant_id, id) on delete set null (message_id)
);
create index campaign_recipients_message_idx on app_public.campaign_recipients (tenant_id, message_id)
  where message_id is not null;
create index campaign_recipients_status_idx on app_public.campaign_recipients (tenant_id, campaign_id, status);

-- Replies route into the inbox as normal conversations, tagged with the campaign that last wrote there.
alter table app_public.conversations add column campaign_id uuid;
alter table app_public.conversations add foreign key (tenant_id, campaign_id)
  references app_public.campaigns (tenant_id, id) on delete set null (campaign_id);
create index conversations_campaign_idx on app_public.conversations (tenant_id, campaign_id)
  where campaign_id is not null;
