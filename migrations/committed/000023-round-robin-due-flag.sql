--! Previous: sha1:d03735aea64aea1bdda424807e5abcdabefe499b
--! Hash: sha1:5edfc1d0b67b7f82d27df5d4754027ff5d62aca6
--! Message: round robin: conversations due for auto-assignment

-- Round robin without a job (collaboration, issue 20): a conversation that opened (new or reopened)
-- unassigned on a phone number with a rule is due until app_public.auto_assign_due_conversations()
-- assigns it, which the opening transaction calls just before it commits (sql/functions/92-collaboration.sql).
alter table app_public.conversations add column auto_assign_due boolean not null default false;
create index conversations_auto_assign_due_idx on app_public.conversations (tenant_id) where auto_assign_due;
