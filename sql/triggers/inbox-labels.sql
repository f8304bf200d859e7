-- The label filter's order (sql/functions/93-inbox-labels.sql).
create or replace trigger _100_label_position
  before insert on app_public.conversation_labels
  for each row execute function app_private.tg_conversation_labels__position();

create or replace trigger _820_label_positions
  after update of last_message_at on app_public.conversations
  for each row when (old.last_message_at is distinct from new.last_message_at)
  execute function app_private.tg_conversations__label_positions();
