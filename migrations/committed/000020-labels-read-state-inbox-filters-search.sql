--! Previous: sha1:de1c0c2e676291e59a9c3b24749d5b3a0b13bdc1
--! Hash: sha1:8ca5238009e5a7de780a2a740d1ae0c66899cc08
--! Message: labels, read state per member, inbox filter indexes, search

-- Finding things in the inbox (issue 20, items 2-labels, 3 and 5).

-- Extensions for search: pg_trgm (partial phone numbers and names with ILIKE '%…%'). Both are
-- "trusted" since PostgreSQL 13, so a database owner who is not a superuser may create them. Their own
-- schema keeps their many functions out of app_public; the runtime needs only the index operator
-- classes, which the planner uses without any privilege.
create schema if not exists app_extensions;
revoke all on schema app_extensions from public;
create extension if not exists pg_trgm with schema app_extensions;

-- Labels: per workspace, a name and a colour of Mantine's palette.
create table app_public.labels (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  name text not null check (length(trim(name)) between 1 and 40),
  color text not null check (color in ('dark', 'gray', 'red', 'pink', 'grape', 'violet', 'indigo', 'blue', 'cyan',
                                       'teal', 'green', 'lime', 'yellow', 'orange')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index labels_name_idx on app_public.labels (tenant_id, lower(name));

create table app_public.conversation_labels (
  tenant_id uuid not null,
  conversation_id uuid not null,
  label_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, conversation_id, label_id),
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade,
  foreign key (tenant_id, label_id) references app_public.labels (tenant_id, id) on delete cascade
);
-- The label filter: a label's conversations.
create index conversation_labels_label_idx on app_public.conversation_labels (tenant_id, label_id, conversation_id);

-- The activity timeline records labelling too; the label's name is kept as it was then.
alter table app_public.conversation_activities drop constraint conversation_activities_action_check;
alter table app_public.conversation_activities
  add constraint conversation_activities_action_check
    check (action in ('status', 'assigned', 'auto_assigned', 'note', 'labelled', 'unlabelled')),
  add column label_id uuid,
  add column label_name text,
  add column label_color text;

-- Read state per member (item 5). inbound_seq counts the customer's messages (it moves with each one,
-- in the same update that moves the conversation, so under the conversation's row lock); a member's
-- read position is the inbound_seq they have read through. Their unread count is
-- least(unread_count, inbound_seq - read_seq): unread_count now means "customer messages since the
-- last reply" (a reply answers them for everyone; opening a conversation no longer clears it), and
-- inbound_seq starts at unread_count so every member sees today's counts until they read.
alter table app_public.conversations add column inbound_seq bigint not null default 0 check (inbound_seq >= 0);
update app_public.conversations set inbound_seq = unread_count where unread_count > 0;

create table app_public.conversation_reads (
  tenant_id uuid not null,
  conversation_id uuid not null,
  user_id uuid not null,
  read_seq bigint not null check (read_seq >= 0),
  read_at timestamptz not null default now(),
  primary key (tenant_id, conversation_id, user_id),
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade,
  -- A member who leaves the workspace takes their read state along.
  foreign key (tenant_id, user_id) references app_public.memberships (tenant_id, user_id) on delete cascade
);

-- The inbox's filters, each led by tenant_id and ending in the list's order (last_message_at desc,
-- id desc) so a page is an index range read, not a sort. Existing: conversations_inbox_idx (all) and
-- conversations_status_inbox_idx (a status tab).
-- Assigned to a member (me, or a chosen member), per status tab.
drop index app_public.conversations_assignee_idx;
create index conversations_assignee_idx
  on app_public.conversations (tenant_id, assigned_user_id, status, last_message_at desc nulls last, id desc)
  where assigned_user_id is not null;
-- Assigned to a team, per status tab.
drop index app_public.conversations_team_idx;
create index conversations_team_idx
  on app_public.conversations (tenant_id, assigned_team_id, status, last_message_at desc nulls last, id desc)
  where assigned_team_id is not null;
-- Nobody's, per status tab.
create index conversations_unassigned_idx
  on app_public.conversations (tenant_id, status, last_message_at desc nulls last, id desc)
  where assigned_user_id is null and assigned_team_id is null;
-- One number (channel), per status tab.
create index conversations_number_idx
  on app_public.conversations (tenant_id, phone_number_id, status, last_message_at desc nulls last, id desc);
-- Unread: only conversations with customer messages since the last reply can be unread to anyone.
create index conversations_unread_idx
  on app_public.conversations (tenant_id, status, last_message_at desc nulls last, id desc)
  where unread_count > 0;
-- The 24-hour window: open ones are those with a recent customer message.
create index conversations_window_idx on app_public.conversations (tenant_id, last_inbound_at desc)
  where last_inbound_at is not null;

-- Full-text search over message text with the 'simple' configuration: lower-cased words, no stemming
-- and no stop words. A workspace's customers write in many languages, and one language's stemmer
-- mangles the others' words (english turns Portuguese "pedidos" into "pedido", drops "a", "no", "do",
-- which are words in other languages); simple finds exactly the words typed, in any language, and the
-- search adds prefix matching for the word being typed. A stored generated column rather than an
-- expression index: a common word is searched by walking the newest messages and testing each
-- row's tsvector, which must then be stored, not recomputed per row.
alter table app_public.messages
  add column search_vector tsvector generated always as (to_tsvector('simple'::regconfig, coalesce(body, ''))) stored;
-- Not led by tenant_id on purpose: a GIN index with tenant_id (btree_gin) holds one posting list of
-- every message of the workspace, read and intersected on each search — a cost that grows with the
-- workspace. The rare-word plan reads the word's list and filters by tenant (row-level security);
-- a common word walks messages_pkey (tenant_id, id), which is time-ordered (uuid v7), newest first.
create index messages_search_idx on app_public.messages using gin (search_vector);

-- Contacts by part of a name or a number (ILIKE '%…%' over trigrams, three characters or more).
create index contacts_name_trgm_idx on app_public.contacts using gin (profile_name app_extensions.gin_trgm_ops);
create index contacts_wa_id_trgm_idx on app_public.contacts using gin (wa_id app_extensions.gin_trgm_ops);
