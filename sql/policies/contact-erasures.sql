select app_private.apply_tenant_policies('app_public.contact_erasures');
revoke all on app_public.contact_erasures from parley_app;
-- The erasure log is append-only for the app.
grant select, insert on app_public.contact_erasures to parley_app;
