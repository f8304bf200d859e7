select app_private.apply_tenant_policies('app_public.webhook_events');
revoke all on app_public.webhook_events from parley_app;
grant select, insert on app_public.webhook_events to parley_app;
grant update (summary, payload, status, error) on app_public.webhook_events to parley_app;
-- The hourly webhook.retention job deletes entries past WEBHOOK_RETENTION_DAYS, per workspace.
grant delete on app_public.webhook_events to parley_app;
