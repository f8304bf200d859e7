-- Notes, notifications and round robin (sql/functions/92-collaboration.sql).
create or replace trigger _800_note_created
  after insert on app_public.conversation_notes
  referencing new table as new_rows
  for each statement execute function app_private.tg_conversation_notes__after_insert();

create or replace trigger _801_note_updated
  after update on app_public.conversation_notes
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_conversation_notes__after_update();

create or replace trigger _802_note_deleted
  after delete on app_public.conversation_notes
  referencing old table as old_rows
  for each statement execute function app_private.tg_conversation_notes__after_delete();

create or replace trigger _810_assignment_notify
  after update on app_public.conversations
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_conversations__assignment_notify();

create or replace trigger _200_mark_auto_assign
  before insert or update on app_public.conversations
  for each row execute function app_private.tg_conversations__mark_auto_assign();
