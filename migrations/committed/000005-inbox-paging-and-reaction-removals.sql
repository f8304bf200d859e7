--! Previous: sha1:a7164f76549d89df7e043dee4db6806915f38329
--! Hash: sha1:fd8d2fa497fc6a6e055f2f952e977283494c0a38
--! Message: inbox paging and reaction removals

-- Inbox paging and reactions that arrive out of order.

-- A removed reaction is kept as a tombstone (emoji null) with its timestamp, so an older reaction
-- that Meta delivers after the removal cannot bring it back (Meta does not guarantee order).
alter table app_public.message_reactions alter column emoji drop not null;

-- The inbox pages by (last_message_at desc, id desc), all conversations or one status tab at a time.
drop index app_public.conversations_inbox_idx;
create index conversations_inbox_idx on app_public.conversations (tenant_id, last_message_at desc nulls last, id desc);
create index conversations_status_inbox_idx
  on app_public.conversations (tenant_id, status, last_message_at desc nulls last, id desc);
