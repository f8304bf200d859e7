select app_private.apply_tenant_policies('app_public.team_members');
revoke all on app_public.team_members from parley_app;
grant select, insert, delete on app_public.team_members to parley_app;
