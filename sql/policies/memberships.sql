select app_private.apply_tenant_policies('app_public.memberships');

revoke all on app_public.memberships from parley_app;
grant select, insert, delete on app_public.memberships to parley_app;
grant update (role) on app_public.memberships to parley_app;
