--! Previous: sha1:7f715242d0eb40d8415e9f524c588f61638ac280
--! Hash: sha1:47aeb4d9ebfaab05e10b446cc6686895609f32e5
--! Message: webhook claims in their own table

-- Processing claimed a delivery by updating its row (claimed_until, claimed_by) and finished it by
-- updating it again: two rewrites of a row that carries its ~1.2 KB body inline (below TOAST's 2 KB
-- threshold, so every new row version copies it), neither of them HOT (claimed_until and status are in
-- partial index predicates), each with new entries in every index (issue 17). A claim is now a row of
-- its own in a narrow table, inserted when a job claims the delivery and deleted when it finishes it,
-- so a delivery's row is written once at ingest and once when it is finished.
create table app_private.webhook_claims (
  delivery_id uuid primary key,
  -- the webhook.process job processing it; the claim lapses when that job is no longer active
  job_id uuid not null,
  -- routing checks that its caller is processing a delivery of this app key
  app_key text not null,
  claimed_until timestamptz not null
);
create index webhook_claims_app_key_idx on app_private.webhook_claims (app_key);

insert into app_private.webhook_claims (delivery_id, job_id, app_key, claimed_until)
select id, claimed_by, app_key, claimed_until from app_private.webhook_deliveries
where claimed_until is not null and claimed_by is not null;

-- Unused (processing is driven by jobs, not by scanning deliveries): one index less to maintain per
-- delivery stored and per delivery finished.
drop index app_private.webhook_deliveries_pending_idx;
drop index if exists app_private.webhook_deliveries_default_pending_idx;
drop index app_private.webhook_deliveries_claimed_idx;
drop index if exists app_private.webhook_deliveries_default_claimed_idx;
alter table app_private.webhook_deliveries drop column claimed_until, drop column claimed_by;
