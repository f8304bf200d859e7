-- Events for outbound webhooks (sql/functions/95-outbound-webhooks.sql): statement-level, so a batch of
-- webhook processing emits its events in one insert.
create or replace trigger _900_webhook_received
  after insert on app_public.messages
  referencing new table as new_rows
  for each statement execute function app_private.tg_messages__webhook_received();

create or replace trigger _900_webhook_status
  after update on app_public.messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_messages__webhook_status();

create or replace trigger _900_webhook_events
  after update on app_public.conversations
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_conversations__webhook_events();

create or replace trigger _900_webhook_created
  after insert on app_public.contacts
  referencing new table as new_rows
  for each statement execute function app_private.tg_contacts__webhook_created();

create or replace trigger _900_webhook_finished
  after update on app_public.campaigns
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_campaigns__webhook_finished();
