create or replace trigger _500_keep_an_owner
  after update of role or delete on app_public.memberships
  for each row execute function app_private.tg_memberships__keep_an_owner();
