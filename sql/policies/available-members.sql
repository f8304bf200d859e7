-- A row per member taking conversations now; each member toggles their own (server/domains/autoAssign).
select app_private.apply_tenant_policies('app_public.available_members');
revoke all on app_public.available_members from parley_app;
grant select, insert, delete on app_public.available_members to parley_app;
