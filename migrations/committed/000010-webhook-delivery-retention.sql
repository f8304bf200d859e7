--! Previous: sha1:b58b99e0df2cc396d4f39b972bd96e3020396202
--! Hash: sha1:8faecaaff310d1abbb53be4c2052c1a550ba5f53
--! Message: webhook deliveries partitioned by day for retention

-- Webhook retention (issue 17): deliveries are partitioned by day of their id (a uuidv7, so its first
-- 48 bits are the milliseconds it was made), and old bodies go by dropping a whole day's partition —
-- no row-by-row delete, no dead tuples to vacuum. server/domains/webhooks/retention.ts creates the
-- days ahead and drops the expired ones; the table as it was becomes the default partition, which
-- catches any id outside the prepared days (and is purged row by row).
alter table app_private.webhook_deliveries rename to webhook_deliveries_default;
alter index app_private.webhook_deliveries_pkey rename to webhook_deliveries_default_pkey;
alter index app_private.webhook_deliveries_received_at_idx rename to webhook_deliveries_default_received_at_idx;
alter index app_private.webhook_deliveries_pending_idx rename to webhook_deliveries_default_pending_idx;
alter index app_private.webhook_deliveries_claimed_idx rename to webhook_deliveries_default_claimed_idx;

create table app_private.webhook_deliveries (
  like app_private.webhook_deliveries_default including defaults including constraints
) partition by range (id);
alter table app_private.webhook_deliveries add primary key (id);
create index webhook_deliveries_received_at_idx on app_private.webhook_deliveries (received_at);
create index webhook_deliveries_pending_idx on app_private.webhook_deliveries (received_at)
  where status in ('received', 'failed');
create index webhook_deliveries_claimed_idx on app_private.webhook_deliveries (app_key)
  where claimed_until is not null;
alter table app_private.webhook_deliveries attach partition app_private.webhook_deliveries_default default;

-- The webhook log keeps its rows when their delivery's day is dropped: each row holds the change it
-- shows (payload, summary), so the log reads as before; only replaying it needs the body, and a replay
-- skips deliveries that are gone. Its foreign key would forbid dropping a day with logged deliveries
-- (and its rows are tenant-scoped, beyond a cross-tenant purge), so it goes.
alter table app_public.webhook_events drop constraint webhook_events_delivery_id_fkey;
-- The platform's unrouted changes are dropped with their day (retention.ts deletes them first).
alter table app_private.unrouted_webhook_events drop constraint unrouted_webhook_events_delivery_id_fkey;
alter table app_private.unrouted_webhook_events add constraint unrouted_webhook_events_delivery_id_fkey
  foreign key (delivery_id) references app_private.webhook_deliveries (id) on delete cascade;
