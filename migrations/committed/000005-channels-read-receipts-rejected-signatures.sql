--! Previous: sha1:a7164f76549d89df7e043dee4db6806915f38329
--! Hash: sha1:e52c9eb140a6ff5674af77e20dfeec15053c1291
--! Message: channels: read receipts setting, rejected webhook signature count

-- Per-channel read receipts (sent when an agent opens a conversation), and how many webhook POSTs
-- were refused for their signature (counted in memory, flushed in batches: see server/http/webhook-rejections.ts).
alter table app_public.channels
  add column send_read_receipts boolean not null default true,
  add column rejected_signatures bigint not null default 0,
  add column last_rejected_signature_at timestamptz;
