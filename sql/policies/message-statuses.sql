select app_private.apply_tenant_policies('app_public.message_statuses');
revoke all on app_public.message_statuses from parley_app;
grant select, insert on app_public.message_statuses to parley_app;
grant update (occurred_at, recipient_id, recipient_user_id, pricing, conversation, errors)
  on app_public.message_statuses to parley_app;
