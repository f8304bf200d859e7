-- A workspace's outbound webhook endpoints (admins manage them; their secrets sit in app_private).
select app_private.apply_tenant_policies('app_public.webhook_endpoints');
revoke all on app_public.webhook_endpoints from parley_app;
grant select, insert, delete on app_public.webhook_endpoints to parley_app;
grant update (url, description, events, enabled, disabled_reason, disabled_at, failing_since, last_success_at,
              last_failure_at, updated_at)
  on app_public.webhook_endpoints to parley_app;
