-- The conversation workflow's version and activity timeline (sql/functions/91-conversation-workflow.sql).
create or replace trigger _100_workflow_version
  before update on app_public.conversations
  for each row execute function app_private.tg_conversations__workflow_version();

create or replace trigger _800_workflow_activity
  after update on app_public.conversations
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_conversations__workflow_activity();
