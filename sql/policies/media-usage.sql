-- Written only by app_private.tg_media__count_storage (SECURITY DEFINER); the app reads it.
select app_private.apply_tenant_policies('app_public.media_usage');
revoke all on app_public.media_usage from parley_app;
grant select on app_public.media_usage to parley_app;
