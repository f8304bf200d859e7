--! Previous: sha1:1a417a7db29adbd60dac21caad843179bb3b14f7
--! Hash: sha1:859d5c8a492aca847243b800c0b0489fc6149d53
--! Message: conversation workflow: snooze, team assignment, expected versions, teams, activity

-- The conversation workflow (issue 20, item 2): a conversation is open, pending, resolved or snoozed
-- until a time; it is assigned to a member and/or a team. workflow_version moves with every workflow
-- change (sql/triggers/conversations-workflow.sql), so two agents acting on what they saw cannot both
-- win: an update names the version it saw.
alter table app_public.conversations drop constraint conversations_status_check;
alter table app_public.conversations
  add constraint conversations_status_check check (status in ('open', 'pending', 'resolved', 'snoozed')),
  add column snoozed_until timestamptz,
  add column assigned_team_id uuid,
  add column workflow_version integer not null default 0,
  add constraint conversations_snooze_consistent check ((status = 'snoozed') = (snoozed_until is not null));

-- Teams: named groups of members a conversation can be assigned to.
create table app_public.teams (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  name text not null check (length(trim(name)) between 1 and 60),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id)
);
create unique index teams_name_idx on app_public.teams (tenant_id, lower(name));

create table app_public.team_members (
  tenant_id uuid not null,
  team_id uuid not null,
  user_id uuid not null,
  created_at timestamptz not null default now(),
  primary key (tenant_id, team_id, user_id),
  foreign key (tenant_id, team_id) references app_public.teams (tenant_id, id) on delete cascade,
  -- A member who leaves the workspace leaves its teams.
  foreign key (tenant_id, user_id) references app_public.memberships (tenant_id, user_id) on delete cascade
);
create index team_members_user_idx on app_public.team_members (tenant_id, user_id);

alter table app_public.conversations
  add constraint conversations_team_fk foreign key (tenant_id, assigned_team_id)
    references app_public.teams (tenant_id, id) on delete set null (assigned_team_id);
create index conversations_team_idx on app_public.conversations (tenant_id, assigned_team_id) where assigned_team_id is not null;
create index conversations_assignee_idx on app_public.conversations (tenant_id, assigned_user_id) where assigned_user_id is not null;
-- The snooze alarm clock (conversation.wake) reads due conversations of every tenant.
create index conversations_snoozed_idx on app_public.conversations (tenant_id, snoozed_until) where status = 'snoozed';

-- Who did what to a conversation's workflow, and when: recorded by a trigger on conversations for
-- every change, whoever made it (an agent, the customer writing, the snooze alarm).
create table app_public.conversation_activities (
  tenant_id uuid not null,
  id uuid not null default app_public.uuid_generate_v7(),
  conversation_id uuid not null,
  -- The member who acted; null for the system (a customer's message reopening it, a snooze ending).
  actor_user_id uuid references app_private.users (id) on delete set null,
  action text not null check (action in ('status', 'assigned')),
  status text,
  snoozed_until timestamptz,
  assigned_user_id uuid,
  assigned_team_id uuid,
  created_at timestamptz not null default now(),
  primary key (tenant_id, id),
  foreign key (tenant_id, conversation_id) references app_public.conversations (tenant_id, id) on delete cascade
);
create index conversation_activities_conversation_idx
  on app_public.conversation_activities (tenant_id, conversation_id, created_at);
