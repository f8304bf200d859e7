select app_private.apply_tenant_policies('app_public.api_keys');

revoke all on app_public.api_keys from parley_app;
-- key_hash is selectable only through authenticate_api_key(); listing shows the prefix.
grant select (tenant_id, id, name, prefix, scopes, created_by, created_at, last_used_at, revoked_at)
  on app_public.api_keys to parley_app;
grant insert on app_public.api_keys to parley_app;
grant update (revoked_at, name) on app_public.api_keys to parley_app;
