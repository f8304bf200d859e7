select app_private.apply_tenant_policies('app_public.canned_responses');
revoke all on app_public.canned_responses from parley_app;
grant select, insert, delete on app_public.canned_responses to parley_app;
grant update (shortcut, body) on app_public.canned_responses to parley_app;
