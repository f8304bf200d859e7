--! Previous: sha1:ef1edb624d82e048e49522249747b5a0ae021193
--! Hash: sha1:1eb75a460eb8be690b8a98ec1fc69c86830db5c8
--! Message: send pipeline: attempts, send buckets, business-initiated recipients

-- Exactly once (README, "Sending exactly once"): message.send records each Graph call on the message
-- before making it. A row with send_attempted_at set and no wamid is a call whose outcome Parley does
-- not know (the connection dropped or the worker died after Meta may have accepted it): it is never
-- sent again blindly, but reconciled from Meta's status webhooks (which echo biz_opaque_callback_data).
-- send_attempts counts retryable failures, for the backoff and its limit.
alter table app_public.messages
  add column send_attempted_at timestamptz,
  add column send_attempts integer not null default 0;

-- Token buckets of the send pipeline (per phone number, per number → customer pair, per workspace
-- plan). Apart from app_private.rate_limit_buckets: parley_app may call take_tokens on any key of that
-- table with a rate of its choosing, while these are only reached through app_public.reserve_send_slot,
-- which reads the rates from the number and the plan itself.
create table app_private.send_buckets (
  key text primary key,
  tokens double precision not null,
  updated_at timestamptz not null
);

-- The messaging tier counts unique customers a number started business-initiated conversations with
-- (templates outside the customer-service window) over a moving 24 hours: one row per customer, with
-- the last such send.
create table app_private.business_initiated_recipients (
  tenant_id uuid not null,
  phone_number_id uuid not null,
  wa_id text not null,
  last_at timestamptz not null,
  primary key (tenant_id, phone_number_id, wa_id),
  foreign key (tenant_id, phone_number_id) references app_public.phone_numbers (tenant_id, id) on delete cascade
);
create index business_initiated_recipients_recent_idx
  on app_private.business_initiated_recipients (tenant_id, phone_number_id, last_at);
