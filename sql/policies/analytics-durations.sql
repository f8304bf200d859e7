select app_private.apply_tenant_policies('app_public.analytics_durations');
revoke all on app_public.analytics_durations from parley_app;
grant select, insert on app_public.analytics_durations to parley_app;
