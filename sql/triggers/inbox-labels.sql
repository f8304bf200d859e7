-- The label filter's order (sql/functions/93-inbox-labels.sql).
create or replace trigger _100_label_position
  before insert on app_public.conversation_labels
  for each row execute function app_private.tg_conversation_labels__position();

-- Statement level: a trigger with transition tables takes no column list, so it fires on every update
-- of conversations and picks the rows whose last_message_at changed itself.
drop trigger if exists _820_label_positions on app_public.conversations;
create trigger _820_label_positions
  after update on app_public.conversations
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_conversations__label_positions();
