-- Inbound media: a media row per media message, in the statement that stores it (its media.fetch job
-- follows in the same transaction: domains/media/fetch-queue.ts).
drop trigger if exists _500_queue_media_fetch on app_public.messages;
create or replace trigger _500_add_media after insert on app_public.messages
  referencing new table as inserted
  for each statement execute function app_private.tg_messages__add_media();

-- The workspace's stored bytes (app_public.media_usage), capped by the plan.
create or replace trigger _500_count_storage after insert or update of status, byte_size or delete on app_public.media
  for each row execute function app_private.tg_media__count_storage();

-- Media state changes reach open threads through the realtime bus.
create or replace trigger _900_realtime_update after update on app_public.media
  referencing old table as old_rows new table as new_rows
  for each statement execute function app_private.tg_media__realtime();
