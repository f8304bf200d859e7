select app_private.apply_tenant_policies('app_public.campaign_recipients');
revoke all on app_public.campaign_recipients from parley_app;
grant select, insert on app_public.campaign_recipients to parley_app;
grant update (status, message_id, error_code, error_message, not_before, queued_at, updated_at)
  on app_public.campaign_recipients to parley_app;
