select app_private.apply_tenant_policies('app_public.contact_imports');
revoke all on app_public.contact_imports from parley_app;
grant select, insert, delete on app_public.contact_imports to parley_app;
grant update (byte_size, status, mapping, options, total_rows, processed_rows, inserted_rows, updated_rows,
  skipped_rows, failed_rows, error, finished_at) on app_public.contact_imports to parley_app;

select app_private.apply_tenant_policies('app_public.contact_import_chunks');
revoke all on app_public.contact_import_chunks from parley_app;
grant select, insert, delete on app_public.contact_import_chunks to parley_app;

select app_private.apply_tenant_policies('app_public.contact_import_errors');
revoke all on app_public.contact_import_errors from parley_app;
grant select, insert, delete on app_public.contact_import_errors to parley_app;
