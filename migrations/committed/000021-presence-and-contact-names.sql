--! Previous: sha1:8ca5238009e5a7de780a2a740d1ae0c66899cc08
--! Hash: sha1:ccfca183d7d7934422af9130ece23493a606fdad
--! Message: presence of members (online, away, viewing, typing) and contact names set by agents

-- Presence (issue 20, item 4): one row per signed-in browser tab of a member, kept alive by a
-- heartbeat and gone once expires_at passes; typing_until is a few seconds ahead while the member
-- types. Nothing here outlives its expiry: readers ignore expired rows and set_presence deletes the
-- tenant's stale ones. UNLOGGED: presence is ephemeral (heartbeats write no WAL; after a crash every
-- tab reports itself again within one heartbeat).
create unlogged table app_public.presence (
  tenant_id uuid not null,
  user_id uuid not null,
  -- A random id per browser tab: one member with two tabs is online while either is.
  tab_id uuid not null,
  status text not null check (status in ('online', 'away')),
  -- The conversation the tab shows, if any.
  conversation_id uuid,
  typing_until timestamptz,
  updated_at timestamptz not null default now(),
  expires_at timestamptz not null,
  primary key (tenant_id, user_id, tab_id),
  -- A member who leaves the workspace is nobody's teammate any more.
  foreign key (tenant_id, user_id) references app_public.memberships (tenant_id, user_id) on delete cascade,
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id)
    on delete set null (conversation_id)
);

-- The name agents give a contact; WhatsApp's profile name (profile_name) stays as the customer set it.
alter table app_public.contacts
  add column name text check (name is null or length(trim(name)) between 1 and 120);

-- Search finds a contact by the name agents gave too (trigram, as for WhatsApp's profile name).
create index contacts_agent_name_trgm_idx on app_public.contacts using gin (name app_extensions.gin_trgm_ops);
