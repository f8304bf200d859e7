-- Every member of the workspace sees the team's presence; a member writes only their own tabs'
-- rows (restrictive policies on top of the tenant ones), so no one can appear online for a teammate.
select app_private.apply_tenant_policies('app_public.presence');
drop policy if exists insert_own_presence on app_public.presence;
create policy insert_own_presence on app_public.presence as restrictive for insert to parley_app
  with check (user_id = app_public.current_user_id());
drop policy if exists update_own_presence on app_public.presence;
create policy update_own_presence on app_public.presence as restrictive for update to parley_app
  using (user_id = app_public.current_user_id()) with check (user_id = app_public.current_user_id());
-- Deleting: a member's own tabs, and anyone's that expired (set_presence tidies the workspace's).
drop policy if exists delete_own_presence on app_public.presence;
create policy delete_own_presence on app_public.presence as restrictive for delete to parley_app
  using (user_id = app_public.current_user_id() or expires_at < now());

revoke all on app_public.presence from parley_app;
grant select, insert, delete on app_public.presence to parley_app;
grant update (status, conversation_id, typing_until, updated_at, expires_at) on app_public.presence to parley_app;
