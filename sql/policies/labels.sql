select app_private.apply_tenant_policies('app_public.labels');
revoke all on app_public.labels from parley_app;
grant select, insert, delete on app_public.labels to parley_app;
grant update (name, color) on app_public.labels to parley_app;
