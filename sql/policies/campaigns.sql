select app_private.apply_tenant_policies('app_public.campaigns');
revoke all on app_public.campaigns from parley_app;
grant select, insert, delete on app_public.campaigns to parley_app;
grant update (name, status, status_reason, expand_cursor, expanded_at, recipient_count, released_at, started_at,
              finished_at, updated_at)
  on app_public.campaigns to parley_app;
