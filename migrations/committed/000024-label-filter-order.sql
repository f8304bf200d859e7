--! Previous: sha1:5edfc1d0b67b7f82d27df5d4754027ff5d62aca6
--! Hash: sha1:2fe95a6dd1a6bb908924ba5629c7cc0fa171a5f7
--! Message: label filter in list order, covered unread counts

-- The label filter (issue 20): a label's conversations newest first were found by walking the whole
-- inbox and probing each conversation's labels (150–280 ms at 100k conversations). Each label row now
-- carries its conversation's last_message_at (kept by triggers, sql/functions/93-inbox-labels.sql),
-- so one ordered index range serves a page.
alter table app_public.conversation_labels add column last_message_at timestamptz;

update app_public.conversation_labels x
set last_message_at = c.last_message_at
from app_public.conversations c
where c.tenant_id = x.tenant_id and c.id = x.conversation_id;

create index conversation_labels_inbox_idx on app_public.conversation_labels
  (tenant_id, label_id, last_message_at desc nulls last, conversation_id desc);

-- The tab counts' unread counts (issue 20): each candidate of conversations_unread_idx was a heap
-- fetch for its sequence numbers and a heap fetch of the caller's read position. Both indexes now
-- cover what the count reads, so it runs on index-only scans.
drop index app_public.conversations_unread_idx;
create index conversations_unread_idx
  on app_public.conversations (tenant_id, status, last_message_at desc nulls last, id desc)
  include (unread_count, inbound_seq)
  where unread_count > 0;
create index conversation_reads_member_seq_idx
  on app_public.conversation_reads (tenant_id, conversation_id, user_id) include (read_seq);
