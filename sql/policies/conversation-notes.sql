-- Internal notes are written by an agent (server/domains/notes); their author or an admin edits or
-- deletes them (the service checks who: server/domains/notes/service.ts).
select app_private.apply_tenant_policies('app_public.conversation_notes');
revoke all on app_public.conversation_notes from parley_app;
grant select, insert, delete on app_public.conversation_notes to parley_app;
grant update (body, mentioned_user_ids, edited_at) on app_public.conversation_notes to parley_app;
