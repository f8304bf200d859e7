-- Campaign recipients follow their messages; replies count for the campaign (sql/functions/94-campaigns.sql).
create or replace trigger _800_campaign_status
  after update on app_public.messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_messages__campaign_status();

create or replace trigger _800_campaign_reply
  after insert on app_public.messages
  referencing new table as new_rows
  for each statement execute function app_private.tg_messages__campaign_reply();
