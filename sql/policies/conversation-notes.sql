-- Internal notes are written once (by an agent, server/domains/notes) and never edited.
select app_private.apply_tenant_policies('app_public.conversation_notes');
revoke all on app_public.conversation_notes from parley_app;
grant select, insert on app_public.conversation_notes to parley_app;
