-- Inbound opt-out keywords (sql/functions/94-contacts.sql): one statement per batch of inserted messages.
create or replace trigger _500_opt_out_keywords
  after insert on app_public.messages
  referencing new table as inserted
  for each statement execute function app_private.tg_messages__opt_out_keywords();
