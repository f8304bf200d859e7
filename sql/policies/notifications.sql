-- A member's notifications: written by notes and the assignment trigger (for any member of the tenant),
-- read and marked read by their recipient only (the queries name app_public.current_user_id()).
select app_private.apply_tenant_policies('app_public.notifications');
revoke all on app_public.notifications from parley_app;
grant select, insert on app_public.notifications to parley_app;
grant update (read_at) on app_public.notifications to parley_app;
