select app_private.apply_tenant_policies('app_public.segments');
revoke all on app_public.segments from parley_app;
grant select, insert, delete on app_public.segments to parley_app;
grant update (name, filter, updated_at) on app_public.segments to parley_app;
