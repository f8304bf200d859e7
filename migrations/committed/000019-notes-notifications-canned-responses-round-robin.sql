--! Previous: sha1:35f46f54e176116608f8674d34827e42022c6d78
--! Hash: sha1:de1c0c2e676291e59a9c3b24749d5b3a0b13bdc1
--! Message: notes, notifications, canned responses, round-robin auto-assignment

-- Collaboration (issue 20, item 2): internal notes with @mentions, per-member notifications, canned
-- responses and round-robin auto-assignment among available members, per phone number.

-- Internal notes: never sent to WhatsApp. The body is plain text; a mention is written "<@user id>" in
-- it and the mentioned ids are kept beside it (server/domains/notes/mentions.ts).
create table app_public.conversation_notes (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  conversation_id uuid not null,
  author_user_id uuid references app_private.users (id) on delete set null,
  body text not null check (length(body) between 1 and 4000),
  mentioned_user_ids uuid[] not null default '{}',
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade
);
create index conversation_notes_conversation_idx on app_public.conversation_notes (tenant_id, conversation_id, created_at);

-- What a member is told about: a mention in a note, or a conversation assigned to them by someone else.
create table app_public.notifications (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  user_id uuid not null,
  kind text not null check (kind in ('mention', 'assigned')),
  conversation_id uuid not null,
  actor_user_id uuid references app_private.users (id) on delete set null,
  note_id uuid,
  created_at timestamptz not null default now(),
  read_at timestamptz,
  primary key (tenant_id, id),
  foreign key (tenant_id, user_id) references app_public.memberships (tenant_id, user_id) on delete cascade,
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade,
  foreign key (tenant_id, note_id) references app_public.conversation_notes (tenant_id, id) on delete cascade
);
create index notifications_user_idx on app_public.notifications (tenant_id, user_id, created_at desc);
create index notifications_unread_idx on app_public.notifications (tenant_id, user_id) where read_at is null;

-- Canned responses: "/shortcut" in the composer inserts the text ({{contact.name}} filled in).
create table app_public.canned_responses (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  shortcut text not null check (shortcut ~ '^[a-z0-9][a-z0-9_-]{0,31}$'),
  body text not null check (length(body) between 1 and 4096),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index canned_responses_shortcut_idx on app_public.canned_responses (tenant_id, shortcut);

-- Members taking conversations now (the header's availability toggle); round robin picks only these.
create table app_public.available_members (
  tenant_id uuid not null,
  user_id uuid not null,
  since timestamptz not null default now(),
  primary key (tenant_id, user_id),
  foreign key (tenant_id, user_id) references app_public.memberships (tenant_id, user_id) on delete cascade
);

-- Round robin per phone number: among the available members of a team, or of the whole workspace (team
-- null). last_user_id is the cursor: the next pick is the first eligible member after it (by id).
create table app_public.auto_assignment_rules (
  tenant_id uuid not null,
  phone_number_id uuid not null,
  team_id uuid,
  last_user_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, phone_number_id),
  foreign key (tenant_id, phone_number_id) references app_public.phone_numbers (tenant_id, id) on delete cascade,
  foreign key (tenant_id, team_id) references app_public.teams (tenant_id, id) on delete cascade
);

-- The timeline also shows notes and round-robin assignments.
alter table app_public.conversation_activities drop constraint conversation_activities_action_check;
alter table app_public.conversation_activities
  add constraint conversation_activities_action_check check (action in ('status', 'assigned', 'auto_assigned', 'note')),
  add column note_id uuid,
  add constraint conversation_activities_note_fk foreign key (tenant_id, note_id)
    references app_public.conversation_notes (tenant_id, id) on delete cascade;
