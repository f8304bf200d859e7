select app_private.apply_tenant_policies('app_public.webhook_events');
revoke all on app_public.webhook_events from parley_app;
grant select, insert on app_public.webhook_events to parley_app;
grant update (summary, payload, status, error) on app_public.webhook_events to parley_app;

select app_private.apply_tenant_policies('app_public.contacts');
revoke all on app_public.contacts from parley_app;
grant select, insert, delete on app_public.contacts to parley_app;
grant update (wa_id, bsuid, profile_name, username) on app_public.contacts to parley_app;

select app_private.apply_tenant_policies('app_public.conversations');
revoke all on app_public.conversations from parley_app;
grant select, insert, delete on app_public.conversations to parley_app;
grant update (status, assigned_user_id, last_message_at, last_message_preview, last_inbound_at, unread_count)
  on app_public.conversations to parley_app;

select app_private.apply_tenant_policies('app_public.messages');
revoke all on app_public.messages from parley_app;
grant select, insert on app_public.messages to parley_app;
grant update (wamid, status, error, body, content, conversation_id, send_claimed_until) on app_public.messages to parley_app;

select app_private.apply_tenant_policies('app_public.message_statuses');
revoke all on app_public.message_statuses from parley_app;
grant select, insert on app_public.message_statuses to parley_app;
grant update (occurred_at, recipient_id, recipient_user_id, pricing, conversation, errors)
  on app_public.message_statuses to parley_app;

select app_private.apply_tenant_policies('app_public.message_reactions');
revoke all on app_public.message_reactions from parley_app;
grant select, insert, delete on app_public.message_reactions to parley_app;
grant update (emoji, reaction_wamid, reacted_at) on app_public.message_reactions to parley_app;

select app_private.apply_tenant_policies('app_public.templates');
revoke all on app_public.templates from parley_app;
grant select, insert, delete on app_public.templates to parley_app;
grant update (meta_template_id, category, status, quality_score, rejected_reason, components)
  on app_public.templates to parley_app;
