select app_private.apply_tenant_policies('app_public.message_reactions');
revoke all on app_public.message_reactions from parley_app;
grant select, insert, delete on app_public.message_reactions to parley_app;
grant update (emoji, reaction_wamid, reacted_at) on app_public.message_reactions to parley_app;
