-- Reactions: the latest by Meta's timestamp wins per (message, reactor). Meta does not guarantee the
-- order of webhooks, so a removal (empty emoji) is kept as a tombstone (emoji null): an older reaction
-- delivered after it changes nothing. SECURITY INVOKER: runs as parley_app under the tenant's RLS.
create or replace function app_public.record_reaction(
  p_message_wamid text, p_contact uuid, p_emoji text, p_reaction_wamid text, p_at timestamptz
) returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  insert into app_public.message_reactions (tenant_id, message_wamid, contact_id, emoji, reaction_wamid, reacted_at)
  values (app_public.current_tenant_id(), p_message_wamid, p_contact, nullif(p_emoji, ''), p_reaction_wamid, p_at)
  on conflict (tenant_id, message_wamid, contact_id) do update
    set emoji = excluded.emoji, reaction_wamid = excluded.reaction_wamid, reacted_at = excluded.reacted_at
    where message_reactions.reacted_at <= excluded.reacted_at
$$;

select app_private.grant_functions_to_app('app_public.record_reaction(text, uuid, text, text, timestamptz)');
