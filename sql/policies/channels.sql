select app_private.apply_tenant_policies('app_public.channels');
revoke all on app_public.channels from parley_app;
grant select, insert, delete on app_public.channels to parley_app;
grant update (name, graph_api_base_url, graph_api_version, status, token_expires_at, last_tested_at, last_test_error,
  account_event, account_event_details, account_event_at, send_read_receipts)
  on app_public.channels to parley_app;

select app_private.apply_tenant_policies('app_public.phone_numbers');
revoke all on app_public.phone_numbers from parley_app;
grant select, insert, delete on app_public.phone_numbers to parley_app;
grant update (display_phone_number, verified_name, quality_rating, messaging_limit_tier, throughput_mps, status)
  on app_public.phone_numbers to parley_app;
