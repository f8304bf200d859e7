--! Previous: sha1:ccfca183d7d7934422af9130ece23493a606fdad
--! Hash: sha1:3d95457f2a4ae6547b6371f219d7926fcf455119
--! Message: round robin: conversations due for auto-assignment

-- Round robin without a job (collaboration, issue 20): a conversation that opened (new or reopened)
-- unassigned on a phone number with a rule is due until app_public.auto_assign_due_conversations()
-- assigns it, which the opening transaction calls just before it commits (sql/functions/92-collaboration.sql).
alter table app_public.conversations add column auto_assign_due boolean not null default false;
create index conversations_auto_assign_due_idx on app_public.conversations (tenant_id) where auto_assign_due;
