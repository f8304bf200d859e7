select app_private.apply_tenant_policies('app_public.analytics_deltas');
revoke all on app_public.analytics_deltas from parley_app;
grant select, insert on app_public.analytics_deltas to parley_app;
