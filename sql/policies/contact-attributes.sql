select app_private.apply_tenant_policies('app_public.contact_attributes');
revoke all on app_public.contact_attributes from parley_app;
grant select, insert, delete on app_public.contact_attributes to parley_app;
grant update (label, options) on app_public.contact_attributes to parley_app;
