--! Previous: sha1:5edfc1d0b67b7f82d27df5d4754027ff5d62aca6
--! Hash: sha1:39305d4fb834ef61e47a46bf1a017c2e5915be84
--! Message: label filter in list order

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
