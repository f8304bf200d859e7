-- Campaigns (issue 21): the workspace's time zone, the runner's narrow privileges, and what status
-- changes of messages mean for campaign recipients and contacts.

-- The time zone of the workspace in scope (IANA name).
create or replace function app_public.tenant_time_zone()
  returns text
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select t.time_zone from app_private.tenants t where t.id = app_public.current_tenant_id()
$$;
revoke all on function app_public.tenant_time_zone() from public;
grant execute on function app_public.tenant_time_zone() to parley_app;

-- Sets it; admins only (checked by the caller). A name PostgreSQL does not know is refused (22023).
create or replace function app_public.set_tenant_time_zone(p_zone text)
  returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not exists (select 1 from pg_catalog.pg_timezone_names z where z.name = p_zone) then
    raise exception 'Unknown time zone: %', p_zone using errcode = '22023';
  end if;
  update app_private.tenants set time_zone = p_zone where id = app_public.current_tenant_id();
end
$$;
revoke all on function app_public.set_tenant_time_zone(text) from public;
grant execute on function app_public.set_tenant_time_zone(text) to parley_app;

-- How many more customers this number may start business-initiated conversations with now (its
-- messaging tier over a moving 24 hours, as reserve_send_slots counts them); null when unlimited.
-- The runner releases no more recipients than this, so a campaign waits instead of failing them.
create or replace function app_public.messaging_tier_room(p_phone uuid)
  returns integer
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select app_private.messaging_tier_limit(p.messaging_limit_tier) - (
           select count(*)::integer from app_private.business_initiated_recipients r
           where r.tenant_id = p.tenant_id and r.phone_number_id = p.id and r.last_at > now() - interval '24 hours')
  from app_public.phone_numbers p
  where p.id = p_phone and p.tenant_id = app_public.current_tenant_id()
$$;
revoke all on function app_public.messaging_tier_room(uuid) from public;
grant execute on function app_public.messaging_tier_room(uuid) to parley_app;

-- Pause and cancel: the campaign's messages that no sender has claimed yet are taken back (deleted:
-- Meta never saw them, and message.send finds nothing to send), and their recipients become
-- `p_to` ('pending' to resume later, 'cancelled'). A message already claimed has its rate-limit slot
-- within the inline wait and goes; its recipient follows its status. parley_app may not delete
-- messages, hence this function. Returns how many were taken back.
create or replace function app_public.withdraw_campaign_messages(p_campaign uuid, p_to text)
  returns integer
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  tenant uuid := app_public.current_tenant_id();
  taken integer;
begin
  if p_to not in ('pending', 'cancelled') then
    raise exception 'withdraw_campaign_messages: p_to must be pending or cancelled' using errcode = '22023';
  end if;
  with withdrawn as (
    delete from app_public.messages m
    using app_public.campaign_recipients r
    where r.tenant_id = tenant and r.campaign_id = p_campaign and r.status = 'queued'
      and m.tenant_id = tenant and m.id = r.message_id
      and m.status = 'pending' and m.wamid is null and m.send_attempted_at is null
      and (m.send_claimed_until is null or m.send_claimed_until < now())
    returning m.id
  )
  update app_public.campaign_recipients r
  set status = p_to, message_id = null, queued_at = null, updated_at = now()
  from withdrawn w
  where r.tenant_id = tenant and r.campaign_id = p_campaign and r.message_id = w.id;
  get diagnostics taken = row_count;
  if p_to = 'cancelled' then
    update app_public.campaign_recipients r set status = 'cancelled', updated_at = now()
    where r.tenant_id = tenant and r.campaign_id = p_campaign and r.status = 'pending';
  end if;
  return taken;
end
$$;
revoke all on function app_public.withdraw_campaign_messages(uuid, text) from public;
grant execute on function app_public.withdraw_campaign_messages(uuid, text) to parley_app;

-- A recipient's status follows its message (sent < delivered < read; failed keeps Meta's code), and a
-- contact Meta called undeliverable (131026) is marked not on WhatsApp. Statement-level, so a batch of
-- statuses is one join; the error is Meta's object (send answer) or its errors array (status webhook).
create or replace function app_private.tg_messages__campaign_status() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  campaigns uuid[];
begin
  with changed as (
    select n.tenant_id, n.id, n.status, n.conversation_id,
           coalesce(n.error->>'code', n.error->0->>'code') as code,
           coalesce(n.error->>'message', n.error->0->>'title', n.error->0->>'message') as message
    from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    where n.direction = 'outbound' and n.status is distinct from o.status
      and n.status in ('sent', 'delivered', 'read', 'played', 'failed')
  ), moved as (
    update app_public.campaign_recipients r
    set status = case c.status when 'played' then 'read' else c.status end,
        error_code = case when c.status = 'failed' and c.code ~ '^[0-9]{1,9}$' then c.code::integer end,
        error_message = case when c.status = 'failed' then left(c.message, 500) end,
        updated_at = now()
    from changed c
    where r.tenant_id = c.tenant_id and r.message_id = c.id
      and (r.status = 'queued' or c.status = 'failed'
           or app_public.message_status_rank(c.status) > app_public.message_status_rank(r.status))
    returning r.campaign_id
  )
  select array_agg(distinct campaign_id) into campaigns from moved;

  update app_public.contacts k set not_on_whatsapp_at = now()
  from new_rows n join app_public.conversations v on v.tenant_id = n.tenant_id and v.id = n.conversation_id
  where n.status = 'failed' and n.direction = 'outbound'
    and coalesce(n.error->>'code', n.error->0->>'code') = '131026'
    and k.tenant_id = v.tenant_id and k.id = v.contact_id and k.not_on_whatsapp_at is null;

  if campaigns is not null then
    perform app_public.record_realtime_event('campaign.progress', campaigns);
  end if;
  return null;
end
$$;
revoke all on function app_private.tg_messages__campaign_status() from public;

-- A customer's message in a conversation a campaign wrote to counts as a reply to that campaign.
create or replace function app_private.tg_messages__campaign_reply() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  campaigns uuid[];
begin
  with replied as (
    update app_public.campaign_recipients r
    set replied_at = n.occurred_at, updated_at = now()
    from new_rows n join app_public.conversations v on v.tenant_id = n.tenant_id and v.id = n.conversation_id
    where n.direction = 'inbound' and v.campaign_id is not null
      and r.tenant_id = v.tenant_id and r.campaign_id = v.campaign_id and r.contact_id = v.contact_id
      and r.replied_at is null and r.message_id is not null
    returning r.campaign_id
  )
  select array_agg(distinct campaign_id) into campaigns from replied;
  if campaigns is not null then
    perform app_public.record_realtime_event('campaign.progress', campaigns);
  end if;
  return null;
end
$$;
revoke all on function app_private.tg_messages__campaign_reply() from public;
