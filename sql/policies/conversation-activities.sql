-- Written by the conversations trigger (sql/triggers/conversations-workflow.sql) as the caller; an
-- activity is history: never updated.
select app_private.apply_tenant_policies('app_public.conversation_activities');
revoke all on app_public.conversation_activities from parley_app;
grant select, insert on app_public.conversation_activities to parley_app;
