select app_private.apply_tenant_policies('app_public.messages');
revoke all on app_public.messages from parley_app;
grant select, insert on app_public.messages to parley_app;
grant update (wamid, status, error, body, content, conversation_id, send_claimed_until, send_attempted_at, send_attempts) on app_public.messages to parley_app;
