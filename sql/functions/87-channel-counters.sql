-- Webhook POSTs refused for their signature, per channel: the server counts them in memory and adds
-- them here in batches, so a flood of unauthenticated garbage costs no database write per request.
-- Keys that name no channel change nothing.
create or replace function app_public.count_rejected_webhook_signatures(p_app_keys text[], p_counts integer[])
  returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  update app_public.channels c
  set rejected_signatures = c.rejected_signatures + r.count,
      last_rejected_signature_at = now()
  from unnest(p_app_keys, p_counts) as r (app_key, count)
  where c.app_key = r.app_key
$$;
revoke all on function app_public.count_rejected_webhook_signatures(text[], integer[]) from public;
grant execute on function app_public.count_rejected_webhook_signatures(text[], integer[]) to parley_app;

-- The sandbox channels of every workspace with their secrets (ciphertexts), so a restarted server can
-- give its in-process simulator back the WABAs, numbers and tokens they use. Platform-wide: owner only.
create or replace function app_private.sandbox_channels(p_graph_api_base_url text)
  returns table (
    channel_id uuid, tenant_id uuid, waba_id text, app_key text,
    app_secret bytea, app_secret_key_id text, access_token bytea, access_token_key_id text,
    phone_number_id text, display_phone_number text, verified_name text
  )
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select c.id, c.tenant_id, c.waba_id, c.app_key, s.app_secret, s.app_secret_key_id, s.access_token, s.access_token_key_id,
         p.phone_number_id, p.display_phone_number, p.verified_name
  from app_public.channels c
  join app_private.channel_secrets s on s.channel_id = c.id and s.tenant_id = c.tenant_id
  join app_public.phone_numbers p on p.channel_id = c.id and p.tenant_id = c.tenant_id
  where c.graph_api_base_url = p_graph_api_base_url
$$;
revoke all on function app_private.sandbox_channels(text) from public;
