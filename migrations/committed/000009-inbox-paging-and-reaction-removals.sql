--! Previous: sha1:edd3a5e392aadd19c6067dc25266f5a9ed3ef9d3
--! Hash: sha1:b58b99e0df2cc396d4f39b972bd96e3020396202
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
