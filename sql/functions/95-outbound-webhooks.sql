-- Outbound webhooks (server/domains/outboundWebhooks/): endpoint secrets and the events that become
-- deliveries. The triggers that call app_private.emit_webhook_events are in sql/triggers/outbound-webhooks.sql.

-- Stores (or replaces) the signing secret of an endpoint of the tenant in scope (ciphertext).
create or replace function app_public.set_webhook_endpoint_secret(p_endpoint_id uuid, p_secret bytea, p_key_id text)
  returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not exists (
    select 1 from app_public.webhook_endpoints e
    where e.id = p_endpoint_id and e.tenant_id = app_public.current_tenant_id()
  ) then
    raise exception 'No such webhook endpoint.' using errcode = 'PY070';
  end if;
  insert into app_private.webhook_endpoint_secrets as s (endpoint_id, tenant_id, secret, secret_key_id)
  values (p_endpoint_id, app_public.current_tenant_id(), p_secret, p_key_id)
  on conflict (endpoint_id) do update set secret = excluded.secret, secret_key_id = excluded.secret_key_id,
    updated_at = now();
end
$$;

-- The signing secret of an endpoint of the tenant in scope (ciphertext), for the delivery job.
create or replace function app_public.webhook_endpoint_secret(p_endpoint_id uuid)
  returns table (secret bytea, secret_key_id text)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select s.secret, s.secret_key_id from app_private.webhook_endpoint_secrets s
  where s.endpoint_id = p_endpoint_id and s.tenant_id = app_public.current_tenant_id()
$$;

select app_private.grant_functions_to_app(
  'app_public.set_webhook_endpoint_secret(uuid, bytea, text)',
  'app_public.webhook_endpoint_secret(uuid)'
);

-- One delivery per enabled endpoint subscribed to each event ({tenant_id, type, data} objects), all
-- of one event sharing its id. Flags the transaction so the outbox queues their jobs before commit.
create or replace function app_private.emit_webhook_events(p_events jsonb) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  emitted integer;
begin
  with events as materialized (
    select (ev ->> 'tenant_id')::uuid as tenant_id, ev ->> 'type' as type, ev -> 'data' as data,
           app_public.uuid_generate_v7() as event_id
    from jsonb_array_elements(p_events) ev
  )
  , inserted as (
    insert into app_public.webhook_endpoint_deliveries (tenant_id, endpoint_id, event_id, event_type, payload)
    select e.tenant_id, e.id, ev.event_id, ev.type,
           jsonb_build_object('id', ev.event_id, 'type', ev.type, 'createdAt', app_public.iso_time(now()),
                              'data', ev.data)
    from events ev
    join app_public.webhook_endpoints e on e.tenant_id = ev.tenant_id and e.enabled and ev.type = any(e.events)
    returning tenant_id, id
  )
  insert into app_private.webhook_deliveries_unqueued (delivery_id, tenant_id)
  select id, tenant_id from inserted;
  get diagnostics emitted = row_count;
  if emitted > 0 then
    perform set_config('app.webhook_deliveries_pending', 'on', true);
  end if;
end
$$;
revoke all on function app_private.emit_webhook_events(jsonb) from public;

-- Whether a tenant has any enabled endpoint: the triggers' cheap early exit.
create or replace function app_private.tenants_with_webhook_endpoints(p_tenants uuid[]) returns boolean
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select exists (select 1 from app_public.webhook_endpoints e where e.tenant_id = any(p_tenants) and e.enabled)
$$;
revoke all on function app_private.tenants_with_webhook_endpoints(uuid[]) from public;

-- message.received (inbound messages) on insert.
create or replace function app_private.tg_messages__webhook_received() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not app_private.tenants_with_webhook_endpoints(array(select distinct tenant_id from new_rows)) then
    return null;
  end if;
  perform app_private.emit_webhook_events(coalesce(jsonb_agg(jsonb_build_object(
    'tenant_id', n.tenant_id, 'type', 'message.received',
    'data', jsonb_build_object(
      'messageId', n.id, 'wamid', n.wamid, 'conversationId', n.conversation_id,
      'contactId', v.contact_id, 'from', k.wa_id, 'type', n.type, 'text', n.body,
      'content', n.content, 'occurredAt', app_public.iso_time(n.occurred_at))
  )), '[]'))
  from new_rows n
  join app_public.conversations v on v.tenant_id = n.tenant_id and v.id = n.conversation_id
  join app_public.contacts k on k.tenant_id = v.tenant_id and k.id = v.contact_id
  where n.direction = 'inbound';
  return null;
end
$$;
revoke all on function app_private.tg_messages__webhook_received() from public;

-- message.status: an outbound message's status moved (sent, delivered, read, played, failed).
create or replace function app_private.tg_messages__webhook_status() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not app_private.tenants_with_webhook_endpoints(array(select distinct tenant_id from new_rows)) then
    return null;
  end if;
  perform app_private.emit_webhook_events(coalesce(jsonb_agg(jsonb_build_object(
    'tenant_id', n.tenant_id, 'type', 'message.status',
    'data', jsonb_build_object(
      'messageId', n.id, 'wamid', n.wamid, 'conversationId', n.conversation_id, 'status', n.status,
      'error', n.error)
  )), '[]'))
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where n.direction = 'outbound' and n.status is distinct from o.status
    and n.status in ('sent', 'delivered', 'read', 'played', 'failed');
  return null;
end
$$;
revoke all on function app_private.tg_messages__webhook_status() from public;

-- conversation.assigned (assignee or team changed) and conversation.resolved.
create or replace function app_private.tg_conversations__webhook_events() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not app_private.tenants_with_webhook_endpoints(array(select distinct tenant_id from new_rows)) then
    return null;
  end if;
  perform app_private.emit_webhook_events(coalesce(jsonb_agg(ev), '[]'))
  from (
    select jsonb_build_object('tenant_id', n.tenant_id, 'type', 'conversation.assigned',
             'data', jsonb_build_object('conversationId', n.id, 'contactId', n.contact_id,
                                        'assignedUserId', n.assigned_user_id, 'assignedTeamId', n.assigned_team_id)) as ev
    from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    where (n.assigned_user_id, n.assigned_team_id) is distinct from (o.assigned_user_id, o.assigned_team_id)
    union all
    select jsonb_build_object('tenant_id', n.tenant_id, 'type', 'conversation.resolved',
             'data', jsonb_build_object('conversationId', n.id, 'contactId', n.contact_id,
                                        'resolvedBy', app_public.current_user_id()))
    from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    where n.status = 'resolved' and o.status <> 'resolved'
  ) events;
  return null;
end
$$;
revoke all on function app_private.tg_conversations__webhook_events() from public;

-- contact.created.
create or replace function app_private.tg_contacts__webhook_created() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not app_private.tenants_with_webhook_endpoints(array(select distinct tenant_id from new_rows)) then
    return null;
  end if;
  perform app_private.emit_webhook_events(coalesce(jsonb_agg(jsonb_build_object(
    'tenant_id', n.tenant_id, 'type', 'contact.created',
    'data', jsonb_build_object('contactId', n.id, 'waId', n.wa_id, 'bsuid', n.bsuid,
                               'name', coalesce(n.name, n.profile_name)))
  ), '[]'))
  from new_rows n;
  return null;
end
$$;
revoke all on function app_private.tg_contacts__webhook_created() from public;

-- campaign.finished: completed, cancelled or failed.
create or replace function app_private.tg_campaigns__webhook_finished() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not app_private.tenants_with_webhook_endpoints(array(select distinct tenant_id from new_rows)) then
    return null;
  end if;
  perform app_private.emit_webhook_events(coalesce(jsonb_agg(jsonb_build_object(
    'tenant_id', n.tenant_id, 'type', 'campaign.finished',
    'data', jsonb_build_object('campaignId', n.id, 'name', n.name, 'status', n.status,
                               'recipientCount', n.recipient_count,
                               'finishedAt', app_public.iso_time(coalesce(n.finished_at, now()))))
  ), '[]'))
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where n.status in ('completed', 'cancelled', 'failed') and o.status is distinct from n.status;
  return null;
end
$$;
revoke all on function app_private.tg_campaigns__webhook_finished() from public;

-- The outbox's part (server/jobs/outbox.ts): the deliveries its transaction produced, to queue before commit.
create or replace function app_private.take_unqueued_webhook_deliveries(p_tenant_id uuid)
  returns table (tenant_id uuid, delivery_id uuid)
  language sql volatile
  set search_path = pg_catalog
as $$
  delete from app_private.webhook_deliveries_unqueued u where u.tenant_id = p_tenant_id
  returning u.tenant_id, u.delivery_id
$$;
revoke all on function app_private.take_unqueued_webhook_deliveries(uuid) from public;

-- The dispatcher's part (webhook.dispatch): deliveries left unqueued by transactions without an outbox.
create or replace function app_private.take_stray_webhook_deliveries(p_limit integer)
  returns table (tenant_id uuid, delivery_id uuid)
  language sql volatile
  set search_path = pg_catalog
as $$
  delete from app_private.webhook_deliveries_unqueued u
  where u.delivery_id in (
    select s.delivery_id from app_private.webhook_deliveries_unqueued s
    order by s.created_at limit p_limit for update skip locked
  )
  returning u.tenant_id, u.delivery_id
$$;
revoke all on function app_private.take_stray_webhook_deliveries(integer) from public;
