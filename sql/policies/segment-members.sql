select app_private.apply_tenant_policies('app_public.segment_members');
revoke all on app_public.segment_members from parley_app;
grant select, insert, delete on app_public.segment_members to parley_app;
