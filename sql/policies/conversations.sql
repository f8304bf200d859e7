select app_private.apply_tenant_policies('app_public.conversations');
revoke all on app_public.conversations from parley_app;
grant select, insert, delete on app_public.conversations to parley_app;
-- contact_id: merging duplicate contacts moves their conversations (server/domains/contacts/queries.ts).
grant update (status, snoozed_until, assigned_user_id, assigned_team_id, last_message_at, last_message_preview,
              last_inbound_at, unread_count, inbound_seq, auto_assign_due, contact_id, campaign_id)
  on app_public.conversations to parley_app;
