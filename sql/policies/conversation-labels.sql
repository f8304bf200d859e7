select app_private.apply_tenant_policies('app_public.conversation_labels');
revoke all on app_public.conversation_labels from parley_app;
grant select, insert, delete on app_public.conversation_labels to parley_app;
