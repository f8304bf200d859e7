select app_private.apply_tenant_policies('app_public.analytics_hourly');
revoke all on app_public.analytics_hourly from parley_app;
grant select on app_public.analytics_hourly to parley_app;
