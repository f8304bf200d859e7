-- Webhook processing one item at a time: the path for reactions, system messages and echoes, and for
-- the changes of a batch whose set statements failed (server/domains/webhooks/queries.ts writes the
-- common items of a batch at once, with the same rules as these functions: keep them in step).
-- SECURITY INVOKER on purpose: it runs as parley_app under the tenant's row-level security.

-- Finds or creates the contact for a phone number and/or business-scoped user id, filling in what it
-- lacked (a taken identifier stays with its current contact).
create or replace function app_public.upsert_contact(p_wa_id text, p_bsuid text, p_profile_name text, p_username text)
  returns uuid
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  found_id uuid;
begin
  -- Two passes at most: when the insert loses a race with another worker's (on conflict do nothing
  -- waits for it to commit), the second pass finds the row that worker created.
  for attempt in 1..2 loop
    select c.id into found_id from app_public.contacts c
    where (p_wa_id is not null and c.wa_id = p_wa_id) or (p_bsuid is not null and c.bsuid = p_bsuid)
    order by (c.wa_id is not distinct from p_wa_id) desc
    limit 1;
    if found_id is not null then
      -- Writes only what changes (an update that writes the same values still costs a row version).
      update app_public.contacts c set
        profile_name = coalesce(p_profile_name, c.profile_name),
        username = coalesce(p_username, c.username),
        wa_id = case when c.wa_id is null and p_wa_id is not null
                      and not exists (select 1 from app_public.contacts o where o.wa_id = p_wa_id) then p_wa_id else c.wa_id end,
        bsuid = case when p_bsuid is not null
                      and not exists (select 1 from app_public.contacts o where o.bsuid = p_bsuid and o.id <> c.id) then p_bsuid else c.bsuid end
      where c.id = found_id
        and (
          (coalesce(p_profile_name, c.profile_name), coalesce(p_username, c.username)) is distinct from (c.profile_name, c.username)
          or (c.wa_id is null and p_wa_id is not null)
          or (p_bsuid is not null and c.bsuid is distinct from p_bsuid)
        );
      return found_id;
    end if;
    insert into app_public.contacts (tenant_id, wa_id, bsuid, profile_name, username)
    values (app_public.current_tenant_id(), p_wa_id, p_bsuid, p_profile_name, p_username)
    on conflict do nothing
    returning id into found_id;
    if found_id is not null then
      return found_id;
    end if;
  end loop;
  -- The conflicting row vanished between the passes (deleted meanwhile): the job's retry settles it.
  raise exception 'contact changed concurrently, retry' using errcode = '40001';
end
$$;

create or replace function app_public.upsert_conversation(p_phone_number uuid, p_contact uuid)
  returns uuid
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  conversation_id uuid;
begin
  insert into app_public.conversations (tenant_id, phone_number_id, contact_id)
  values (app_public.current_tenant_id(), p_phone_number, p_contact)
  on conflict (tenant_id, phone_number_id, contact_id) do nothing
  returning id into conversation_id;
  if conversation_id is null then
    select c.id into conversation_id from app_public.conversations c
    where c.phone_number_id = p_phone_number and c.contact_id = p_contact;
  end if;
  return conversation_id;
end
$$;

-- Stores one message idempotently (by wamid) and moves its conversation forward. Returns whether it
-- was new. Outbound messages (echoes from the phone app) take the best status already recorded.
create or replace function app_public.store_message(
  p_conversation uuid, p_direction text, p_wamid text, p_type text, p_body text, p_content jsonb,
  p_context_wamid text, p_errors jsonb, p_at timestamptz
) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  inbound boolean := p_direction = 'inbound';
begin
  insert into app_public.messages
    (tenant_id, conversation_id, wamid, direction, type, body, content, context_wamid, status, error, occurred_at)
  values (app_public.current_tenant_id(), p_conversation, p_wamid, p_direction, p_type, p_body, p_content,
          p_context_wamid, case when inbound then 'received' else 'sent' end, p_errors, p_at)
  on conflict (tenant_id, wamid) do nothing;
  if not found then
    return false;
  end if;
  update app_public.conversations set
    last_message_preview = case when last_message_at is null or p_at >= last_message_at then p_body else last_message_preview end,
    last_message_at = greatest(last_message_at, p_at),
    last_inbound_at = case when inbound then greatest(last_inbound_at, p_at) else last_inbound_at end,
    unread_count = unread_count + case when inbound then 1 else 0 end,
    inbound_seq = inbound_seq + case when inbound then 1 else 0 end,
    -- A customer writing reopens a resolved or snoozed conversation.
    status = case when inbound and status in ('resolved', 'snoozed') then 'open' else status end,
    snoozed_until = case when inbound then null else snoozed_until end
  where id = p_conversation;
  if not inbound then
    perform app_public.apply_best_status(p_wamid);
  end if;
  return true;
end
$$;

-- Raises an outbound message to the best status recorded for its wamid; never lowers it.
create or replace function app_public.apply_best_status(p_wamid text) returns void
  language sql volatile
  set search_path = pg_catalog
as $$
  update app_public.messages m
  set status = best.status, error = case when best.status = 'failed' then best.errors else m.error end
  from (
    select s.status, s.errors from app_public.message_statuses s
    where s.wamid = p_wamid
    order by app_public.message_status_rank(s.status) desc
    limit 1
  ) best
  where m.wamid = p_wamid and m.direction = 'outbound'
    and app_public.message_status_rank(best.status) > app_public.message_status_rank(m.status)
$$;

create or replace function app_public.record_message_status(
  p_wamid text, p_status text, p_at timestamptz, p_recipient_id text, p_recipient_user_id text,
  p_pricing jsonb, p_conversation jsonb, p_errors jsonb
) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  insert into app_public.message_statuses
    (tenant_id, wamid, status, occurred_at, recipient_id, recipient_user_id, pricing, conversation, errors)
  values (app_public.current_tenant_id(), p_wamid, p_status, p_at, p_recipient_id, p_recipient_user_id, p_pricing, p_conversation, p_errors)
  on conflict (tenant_id, wamid, status) do nothing;
  if found then
    perform app_public.apply_best_status(p_wamid);
  end if;
end
$$;

select app_private.grant_functions_to_app(
    'app_public.upsert_contact(text, text, text, text)',
    'app_public.upsert_conversation(uuid, uuid)',
    'app_public.store_message(uuid, text, text, text, text, jsonb, text, jsonb, timestamptz)',
    'app_public.apply_best_status(text)',
    'app_public.record_message_status(text, text, timestamptz, text, text, jsonb, jsonb, jsonb)'
);

-- One inbound message in one call: its contact, its conversation, the message itself.
create or replace function app_public.ingest_inbound_message(
  p_phone_number uuid, p_wa_id text, p_bsuid text, p_profile_name text, p_username text,
  p_wamid text, p_type text, p_body text, p_content jsonb, p_context_wamid text, p_errors jsonb, p_at timestamptz
) returns table (contact_id uuid, conversation_id uuid, stored boolean)
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  contact_id := app_public.upsert_contact(p_wa_id, p_bsuid, p_profile_name, p_username);
  conversation_id := app_public.upsert_conversation(p_phone_number, contact_id);
  stored := app_public.store_message(conversation_id, 'inbound', p_wamid, p_type, p_body, p_content, p_context_wamid, p_errors, p_at);
  return next;
end
$$;
select app_private.grant_functions_to_app('app_public.ingest_inbound_message(uuid, text, text, text, text, text, text, text, jsonb, text, jsonb, timestamptz)');
