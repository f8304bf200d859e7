-- Analytics deltas, one insert per statement (sql/functions/95-analytics.sql).
create or replace trigger _850_analytics
  after insert on app_public.messages
  referencing new table as new_rows
  for each statement execute function app_private.tg_messages__analytics_insert();

create or replace trigger _850_analytics_status
  after update on app_public.messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_messages__analytics_status();

create or replace trigger _850_analytics
  after insert on app_public.conversations
  referencing new table as new_rows
  for each statement execute function app_private.tg_conversations__analytics_opened();

create or replace trigger _850_analytics
  after insert on app_public.conversation_activities
  referencing new table as new_rows
  for each statement execute function app_private.tg_conversation_activities__analytics();

create or replace trigger _850_analytics
  after insert on app_public.contacts
  referencing new table as new_rows
  for each statement execute function app_private.tg_contacts__analytics_created();

create or replace trigger _850_analytics_opt_out
  after update on app_public.contacts
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_contacts__analytics_opted_out();
