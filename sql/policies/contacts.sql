select app_private.apply_tenant_policies('app_public.contacts');
revoke all on app_public.contacts from parley_app;
grant select, insert, delete on app_public.contacts to parley_app;
grant update (wa_id, bsuid, profile_name, username, name, tags, attributes, country, opted_in_at, opt_in_source,
  opted_out_at, opt_out_source, email, notes) on app_public.contacts to parley_app;
