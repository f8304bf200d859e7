select app_private.apply_tenant_policies('app_public.invitations');

revoke all on app_public.invitations from parley_app;
grant select, insert on app_public.invitations to parley_app;
grant update (revoked_at) on app_public.invitations to parley_app;
