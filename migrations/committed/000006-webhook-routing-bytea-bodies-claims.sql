--! Previous: sha1:e52c9eb140a6ff5674af77e20dfeec15053c1291
--! Hash: sha1:fff8fabf44b8b8683be6ad987cd454259db75ff2
--! Message: webhooks: secret fingerprints, byte-exact bodies, delivery claims, flagged events

-- Webhook pipeline hardening (issues 14 and 26).

-- A keyed hash of each channel's app secret (HMAC-SHA256, see webhook-secrets.ts): two channels share
-- a Meta app only when their app ids and these fingerprints match. The ciphertexts cannot be compared
-- (each is bound to its own channel), and the secret itself must never be needed to route.
alter table app_private.channel_secrets add column app_secret_fingerprint bytea;
create index channel_secrets_fingerprint_idx on app_private.channel_secrets (app_secret_fingerprint)
  where app_secret_fingerprint is not null;

-- Bodies byte-exact, as signed: a NUL byte or invalid UTF-8 is kept as received instead of failing
-- the insert (and every other delivery of its group commit with it).
alter table app_private.webhook_deliveries alter column body type bytea using convert_to(body, 'UTF8');

-- A delivery being processed is claimed by its job, so two jobs for it (a replay beside a retry) never
-- run it at once; a replay marks what it queued, so replays never queue a delivery twice.
alter table app_private.webhook_deliveries
  add column claimed_until timestamptz,
  add column claimed_by uuid,
  add column replay_queued_at timestamptz;

-- Why a change reached no workspace: no channel has its number or account, or the delivery was
-- signed by a different Meta app or secret than the channel that has them.
alter table app_private.unrouted_webhook_events add column reason text;

-- A change processed with some parts set aside (a malformed message beside valid ones).
alter table app_public.webhook_events drop constraint webhook_events_status_check;
alter table app_public.webhook_events
  add constraint webhook_events_status_check check (status in ('processed', 'flagged', 'failed'));

-- Claimed deliveries by app key: routing checks that its caller is processing a delivery of that key.
create index webhook_deliveries_claimed_idx on app_private.webhook_deliveries (app_key)
  where claimed_until is not null;
