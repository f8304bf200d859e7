-- A member's read position per conversation (server/domains/conversations/read-state.ts).
select app_private.apply_tenant_policies('app_public.conversation_reads');
revoke all on app_public.conversation_reads from parley_app;
grant select, insert on app_public.conversation_reads to parley_app;
grant update (read_seq, read_at) on app_public.conversation_reads to parley_app;
