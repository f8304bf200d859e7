-- Round-robin rules per phone number; the cursor (last_user_id) moves in app_public.auto_assign_due_conversations.
select app_private.apply_tenant_policies('app_public.auto_assignment_rules');
revoke all on app_public.auto_assignment_rules from parley_app;
grant select, insert, delete on app_public.auto_assignment_rules to parley_app;
grant update (team_id, last_user_id) on app_public.auto_assignment_rules to parley_app;
