--! Previous: sha1:859d5c8a492aca847243b800c0b0489fc6149d53
--! Hash: sha1:35f46f54e176116608f8674d34827e42022c6d78
--! Message: media fetch jobs through the outbox; audio and video durations

-- Inbound media's media.fetch job is queued by the webhook transaction that stores the message,
-- through pg-boss's own insert (server/jobs/outbox.ts), no longer by a trigger writing pgboss.job:
-- the trigger still adds the media row, and the transaction queues the rows it added (those not yet
-- queued) before it commits. Files that came before this release had their jobs queued already.
alter table app_public.media add column fetch_queued_at timestamptz;
update app_public.media set fetch_queued_at = created_at where status = 'pending';
create index media_fetch_unqueued_idx on app_public.media (tenant_id, id)
  where status = 'pending' and fetch_queued_at is null;

-- How long a voice note, audio or video plays (read from the container when the bytes are stored),
-- so the thread shows "Voice message · 0:07" before the player has loaded anything.
alter table app_public.media add column duration_ms integer check (duration_ms >= 0);
