-- Webhook routing and bookkeeping for the webhook.process worker (parley_app, no tenant in scope yet).

-- The tenant and phone number row a change's metadata.phone_number_id belongs to.
create or replace function app_public.route_phone_number(p_phone_number_id text)
  returns table (tenant_id uuid, phone_number_uuid uuid, channel_id uuid)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select p.tenant_id, p.id, p.channel_id from app_public.phone_numbers p where p.phone_number_id = p_phone_number_id
$$;

-- The tenant and channel of a WhatsApp Business Account id (template and account updates).
create or replace function app_public.route_waba(p_waba_id text)
  returns table (tenant_id uuid, channel_id uuid)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select c.tenant_id, c.id from app_public.channels c where c.waba_id = p_waba_id
$$;

create or replace function app_public.record_unrouted_webhook_event(
  p_delivery_id uuid, p_change_index integer, p_field text, p_phone_number_id text, p_waba_id text, p_payload jsonb
) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  insert into app_private.unrouted_webhook_events (delivery_id, change_index, field, phone_number_id, waba_id, payload)
  values (p_delivery_id, p_change_index, p_field, p_phone_number_id, p_waba_id, p_payload)
  on conflict (delivery_id, change_index) do nothing
$$;

-- The webhook secrets of a channel by the key in its webhook URL (ciphertexts; the server decrypts).
create or replace function app_public.channel_webhook_secrets(p_app_key text)
  returns table (channel_id uuid, tenant_id uuid, app_secret bytea, app_secret_key_id text, verify_token bytea, verify_token_key_id text)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select s.channel_id, s.tenant_id, s.app_secret, s.app_secret_key_id, s.verify_token, s.verify_token_key_id
  from app_public.channels c
  join app_private.channel_secrets s on s.channel_id = c.id and s.tenant_id = c.tenant_id
  where c.app_key = p_app_key and c.status <> 'disabled'
$$;

-- The access token of a channel of the tenant in scope (ciphertext).
create or replace function app_public.channel_access_token(p_channel_id uuid)
  returns table (access_token bytea, access_token_key_id text)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select s.access_token, s.access_token_key_id from app_private.channel_secrets s
  where s.channel_id = p_channel_id and s.tenant_id = app_public.current_tenant_id()
$$;

-- Stores (or replaces) the secrets of a channel of the tenant in scope.
create or replace function app_public.set_channel_secrets(
  p_channel_id uuid,
  p_app_secret bytea, p_app_secret_key_id text,
  p_access_token bytea, p_access_token_key_id text,
  p_verify_token bytea, p_verify_token_key_id text
) returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  if not exists (
    select 1 from app_public.channels c where c.id = p_channel_id and c.tenant_id = app_public.current_tenant_id()
  ) then
    raise exception 'No such channel.' using errcode = 'PY050';
  end if;
  insert into app_private.channel_secrets as s (
    channel_id, tenant_id, app_secret, app_secret_key_id, access_token, access_token_key_id, verify_token, verify_token_key_id
  ) values (
    p_channel_id, app_public.current_tenant_id(), p_app_secret, p_app_secret_key_id,
    p_access_token, p_access_token_key_id, p_verify_token, p_verify_token_key_id
  )
  on conflict (channel_id) do update set
    app_secret = coalesce(excluded.app_secret, s.app_secret),
    app_secret_key_id = coalesce(excluded.app_secret_key_id, s.app_secret_key_id),
    access_token = excluded.access_token,
    access_token_key_id = excluded.access_token_key_id,
    verify_token = excluded.verify_token,
    verify_token_key_id = excluded.verify_token_key_id,
    updated_at = now();
end
$$;

-- Deliveries of the tenant in scope for the webhook log: those with at least one event routed to it.
create or replace function app_public.tenant_webhook_deliveries(p_delivery_ids uuid[])
  returns table (id uuid, received_at timestamptz, status text, error text, attempts integer, body text)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select d.id, d.received_at, d.status, d.error, d.attempts, d.body
  from app_private.webhook_deliveries d
  where d.id = any (p_delivery_ids)
    and exists (select 1 from app_public.webhook_events e where e.delivery_id = d.id and e.tenant_id = app_public.current_tenant_id())
$$;

select app_private.grant_functions_to_app(
    'app_public.route_phone_number(text)',
    'app_public.route_waba(text)',
    'app_public.record_unrouted_webhook_event(uuid, integer, text, text, text, jsonb)',
    'app_public.channel_webhook_secrets(text)',
    'app_public.channel_access_token(uuid)',
    'app_public.set_channel_secrets(uuid, bytea, text, bytea, text, bytea, text)',
    'app_public.tenant_webhook_deliveries(uuid[])'
);

-- Order of message statuses: a status only ever replaces a lower one, so late or repeated webhooks
-- never move a message backwards. "failed" sits after "sent": a message that was delivered did not fail.
create or replace function app_public.message_status_rank(p_status text) returns numeric
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select case p_status
    when 'received' then -1 when 'pending' then 0 when 'sent' then 1 when 'failed' then 1.5
    when 'delivered' then 2 when 'read' then 3 when 'played' then 4 when 'deleted' then 5
    else -2 end::numeric
$$;
grant execute on function app_public.message_status_rank(text) to parley_app;

create or replace function app_public.webhook_deliveries_batch(p_ids uuid[])
  returns table (id uuid, body text, status text)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select d.id, d.body, d.status from app_private.webhook_deliveries d where d.id = any (p_ids)
  order by d.id -- arrival order (uuid v7): changes apply, and log, in the order Meta sent them
$$;

create or replace function app_public.finish_webhook_deliveries(p_ids uuid[], p_errors text[]) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  update app_private.webhook_deliveries d
  set status = case when f.error is null then 'processed' else 'failed' end,
      error = f.error,
      attempts = d.attempts + 1,
      processed_at = now()
  from unnest(p_ids, p_errors) as f(id, error)
  where d.id = f.id and d.status <> 'invalid_json'
$$;
select app_private.grant_functions_to_app('app_public.webhook_deliveries_batch(uuid[])');
select app_private.grant_functions_to_app('app_public.finish_webhook_deliveries(uuid[], text[])');
