select app_private.apply_tenant_policies('app_public.contacts');
revoke all on app_public.contacts from parley_app;
grant select, insert, delete on app_public.contacts to parley_app;
grant update (wa_id, bsuid, profile_name, username, name) on app_public.contacts to parley_app;
