-- The realtime bus: statement-level triggers with transition tables, so a set-based statement records
-- one event per tenant whatever its row count (sql/functions/90-realtime.sql).
create or replace trigger _900_realtime_notify
  after insert on app_private.realtime_events
  referencing new table as new_events
  for each statement execute function app_private.tg_realtime_events__notify();

create or replace trigger _900_realtime_insert
  after insert on app_public.messages
  referencing new table as new_rows
  for each statement execute function app_private.tg_realtime__record('message.created', 'message');
create or replace trigger _900_realtime_update
  after update on app_public.messages
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_messages__realtime_update();

create or replace trigger _900_realtime_insert
  after insert on app_public.message_statuses
  referencing new table as new_rows
  for each statement execute function app_private.tg_realtime__record('message.status', 'status');

create or replace trigger _900_realtime_insert
  after insert on app_public.message_reactions
  referencing new table as new_rows
  for each statement execute function app_private.tg_realtime__record('message.reaction', 'reaction');
create or replace trigger _900_realtime_update
  after update on app_public.message_reactions
  referencing new table as new_rows
  for each statement execute function app_private.tg_realtime__record('message.reaction', 'reaction');

create or replace trigger _900_realtime_insert
  after insert on app_public.conversations
  referencing new table as new_rows
  for each statement execute function app_private.tg_realtime__record('conversation.created', 'conversation');
create or replace trigger _900_realtime_update
  after update on app_public.conversations
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_conversations__realtime_update();

create or replace trigger _900_realtime_insert
  after insert on app_public.memberships
  referencing new table as new_rows
  for each statement execute function app_private.tg_memberships__realtime();
create or replace trigger _900_realtime_update
  after update on app_public.memberships
  referencing new table as new_rows
  for each statement execute function app_private.tg_memberships__realtime();
create or replace trigger _900_realtime_delete
  after delete on app_public.memberships
  referencing old table as old_rows
  for each statement execute function app_private.tg_memberships__realtime();

-- Replaced by app_private.tg_realtime__record (sql/functions/90-realtime.sql).
drop function if exists app_private.tg_messages__realtime_insert();
drop function if exists app_private.tg_message_statuses__realtime();
drop function if exists app_private.tg_message_reactions__realtime();
drop function if exists app_private.tg_conversations__realtime_insert();
