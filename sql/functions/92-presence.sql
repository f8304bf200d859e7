-- Presence of members (issue 20, item 4): which tab of whom is online or away, which conversation it
-- shows and whether its member is typing there. Ephemeral by construction: every row carries its
-- expiry (the heartbeat moves it), typing carries its own few seconds, and nothing is recorded in the
-- realtime events table (nothing to replay: a client that reconnects is sent the current presence).
--
-- A change that others would see (a tab appearing, its status, conversation or typing changing)
-- NOTIFYs 'parley_presence' with the tenant id only, delivered after commit; each web node's listener
-- then reads the tenant's presence under row-level security and sends it to that tenant's subscribers
-- (server/realtime/presence.ts). A heartbeat that changes nothing else notifies nobody.

create or replace function app_public.set_presence(
  p_tab_id uuid,
  p_status text,
  p_conversation_id uuid,
  p_typing boolean,
  p_ttl_seconds integer,
  p_typing_seconds integer
) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  tenant uuid := app_public.current_tenant_id();
  member uuid := app_public.current_user_id();
  conversation uuid;
  was record;
  changed boolean;
begin
  if tenant is null or member is null then
    raise exception 'set_presence needs a member in scope' using errcode = '42501';
  end if;
  -- A conversation this workspace does not have (deleted, or never its own) is shown as none.
  select c.id into conversation from app_public.conversations c where c.id = p_conversation_id;
  select p.status, p.conversation_id, coalesce(p.typing_until > now(), false) as typing,
         p.expires_at > now() as live
    into was
    from app_public.presence p
    where p.tenant_id = tenant and p.user_id = member and p.tab_id = p_tab_id;
  changed := not found
    or not was.live
    or was.status is distinct from p_status
    or was.conversation_id is distinct from conversation
    or was.typing is distinct from (p_typing and conversation is not null);
  insert into app_public.presence as p (tenant_id, user_id, tab_id, status, conversation_id, typing_until, expires_at)
  values (
    tenant, member, p_tab_id, p_status, conversation,
    case when p_typing and conversation is not null then now() + make_interval(secs => p_typing_seconds) end,
    now() + make_interval(secs => p_ttl_seconds)
  )
  on conflict (tenant_id, user_id, tab_id) do update
    set status = excluded.status, conversation_id = excluded.conversation_id,
        typing_until = excluded.typing_until, expires_at = excluded.expires_at, updated_at = now();
  -- Tabs that stopped beating a while ago (closed without saying so) are tidied away.
  delete from app_public.presence p where p.tenant_id = tenant and p.expires_at < now() - interval '1 minute';
  if changed then
    perform pg_notify('parley_presence', tenant::text);
  end if;
  return changed;
end
$$;

-- A tab says goodbye (signing out, switching workspace, closing): gone at once, not at its expiry.
create or replace function app_public.leave_presence(p_tab_id uuid) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  tenant uuid := app_public.current_tenant_id();
begin
  delete from app_public.presence p
  where p.tenant_id = tenant and p.user_id = app_public.current_user_id() and p.tab_id = p_tab_id;
  if found then
    perform pg_notify('parley_presence', tenant::text);
  end if;
  return found;
end
$$;

select app_private.grant_functions_to_app(
  'app_public.set_presence(uuid, text, uuid, boolean, integer, integer)',
  'app_public.leave_presence(uuid)'
);
