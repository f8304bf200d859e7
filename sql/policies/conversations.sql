select app_private.apply_tenant_policies('app_public.conversations');
revoke all on app_public.conversations from parley_app;
grant select, insert, delete on app_public.conversations to parley_app;
grant update (status, snoozed_until, assigned_user_id, assigned_team_id, last_message_at, last_message_preview,
              last_inbound_at, unread_count, inbound_seq, auto_assign_due, campaign_id)
  on app_public.conversations to parley_app;
