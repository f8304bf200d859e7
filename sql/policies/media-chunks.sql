select app_private.apply_tenant_policies('app_public.media_chunks');
revoke all on app_public.media_chunks from parley_app;
grant select, insert, delete on app_public.media_chunks to parley_app;
