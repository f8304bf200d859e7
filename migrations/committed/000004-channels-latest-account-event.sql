--! Previous: sha1:6f7dc421a78d5d359507aae897e5e5a8a355761b
--! Hash: sha1:a7164f76549d89df7e043dee4db6806915f38329
--! Message: channels: latest account event

-- The latest account-level event Meta reported for a channel's WABA (violations, restrictions, bans).
alter table app_public.channels
  add column account_event text,
  add column account_event_details jsonb,
  add column account_event_at timestamptz;
