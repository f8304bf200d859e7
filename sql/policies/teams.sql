select app_private.apply_tenant_policies('app_public.teams');
revoke all on app_public.teams from parley_app;
grant select, insert, delete on app_public.teams to parley_app;
grant update (name) on app_public.teams to parley_app;
