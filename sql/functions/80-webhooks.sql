-- Webhook routing and bookkeeping for the webhook.process worker (parley_app, no tenant in scope yet).
-- None of these hands anything to a caller that is not processing the delivery it asks about: reading
-- a delivery takes the id of an active webhook.process job, and routing, recording and finishing only
-- act on deliveries such a job has claimed.

drop function if exists app_public.route_phone_number(text);
drop function if exists app_public.route_waba(text);
drop function if exists app_public.record_unrouted_webhook_event(uuid, integer, text, text, text, jsonb);
drop function if exists app_public.tenant_webhook_deliveries(uuid[]);
drop function if exists app_public.webhook_deliveries_batch(uuid[]);
drop function if exists app_public.finish_webhook_deliveries(uuid[], text[]);
drop function if exists app_public.set_channel_secrets(uuid, bytea, text, bytea, text, bytea, text);

-- Claims the deliveries of the given webhook.process jobs, which must be active (fetched by a worker
-- right now), and returns what processing needs. The same delivery never runs twice at once (a replay
-- beside a retry deadlocked and flipped processed deliveries to failed): a delivery claimed by another
-- job that is still active comes back as busy, without its body, and that job is retried later. A
-- claim lapses when its job is no longer active (a crashed worker's job, retried under the same id,
-- takes its own claim back) or after the job's expiry. Claims are rows of app_private.webhook_claims
-- (migration 000012), so claiming never rewrites a delivery's row and its body.
create or replace function app_public.claim_webhook_jobs(p_job_ids uuid[])
  returns table (job_id uuid, delivery_id uuid, app_key text, body bytea, busy boolean)
  language plpgsql volatile security definer
  set search_path = pg_catalog
  set plan_cache_mode = force_custom_plan -- planned for the given jobs each call (a millisecond)
as $$
#variable_conflict use_column
begin
  return query
  with active_jobs as materialized (
    -- The given jobs by primary key. Compared as text, state is no index condition: pg-boss's index
    -- on (name, state) holds an entry for every job that was ever active, dead until vacuum, and a
    -- scan of it took seconds once a backlog had flowed through (issue 17).
    select j.id, j.data from pgboss.job j
    where j.name = 'webhook.process' and j.id = any (p_job_ids) and j.state::text = 'active'
  ),
  jobs as (
    -- a job holds one delivery (deliveryId) or a group commit's (deliveryIds)
    select distinct on (x.delivery_id) j.id as job_id, x.delivery_id
    from active_jobs j
    cross join lateral (
      select (j.data->>'deliveryId')::uuid as delivery_id where j.data ? 'deliveryId'
      union all
      select e::uuid from jsonb_array_elements_text(j.data->'deliveryIds') as e
    ) x
    order by x.delivery_id, j.id
  ),
  wanted as materialized (
    select jobs.job_id, d.id, d.app_key, d.body, d.replay_queued_at is not null as replay_marked
    from jobs join app_private.webhook_deliveries d on d.id = jobs.delivery_id
    where d.status <> 'invalid_json'
  ),
  claimed as (
    -- A concurrent claimer of the same delivery waits for this statement's commit, then finds the
    -- claim live and leaves it; a stable order means two claimers never wait on each other crosswise.
    insert into app_private.webhook_claims as c (delivery_id, job_id, app_key, claimed_until)
    select w.id, w.job_id, w.app_key, now() + interval '5 minutes' from wanted w
    order by w.id
    on conflict (delivery_id) do update
      set job_id = excluded.job_id, claimed_until = excluded.claimed_until
      where c.claimed_until < now() or c.job_id = excluded.job_id
         -- the claiming job is no longer active (looked up by primary key, as above)
         or not coalesce((
           select h.state::text = 'active' from pgboss.job h
           where h.name = 'webhook.process' and h.id = c.job_id
         ), false)
    returning c.delivery_id
  ),
  replay_started as (
    -- An array, not a semi-join: looked up by primary key in each day, never a scan of every day's
    -- bodies (usually it is empty: fresh deliveries are not marked for replay).
    update app_private.webhook_deliveries d set replay_queued_at = null
    where d.id = any (array(
      select c.delivery_id from claimed c join wanted w on w.id = c.delivery_id where w.replay_marked
    ))
  )
  select w.job_id, w.id,
         case when c.delivery_id is not null then w.app_key end,
         case when c.delivery_id is not null then w.body end,
         c.delivery_id is null
  from wanted w left join claimed c on c.delivery_id = w.id
  order by 2; -- arrival order (uuid v7): changes apply, and log, in the order Meta sent them
end
$$;

-- Where each (verifying app key, kind, id) of a claimed delivery may go. A signed delivery may only
-- touch channels that share the verifying channel's Meta app id and app secret (same fingerprint):
-- one app serving several WABAs, of one or several workspaces, works; a body naming anyone else's
-- number or WABA is unrouted ('other_app'), as is one nobody has connected ('unknown').
create or replace function app_public.webhook_routes(p_app_keys text[], p_kinds text[], p_refs text[])
  returns table (
    app_key text, kind text, ref text, tenant_id uuid, channel_id uuid, phone_number_uuid uuid, unrouted text
  )
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select a.app_key, a.kind, a.ref,
         case when x.shared then t.tenant_id end,
         case when x.shared then t.channel_id end,
         case when x.shared then t.phone_number_uuid end,
         case when t.channel_id is null then 'unknown' when not x.shared then 'other_app' end
  from unnest(p_app_keys, p_kinds, p_refs) as a(app_key, kind, ref)
  left join lateral (
    select p.tenant_id, p.channel_id, p.id as phone_number_uuid
    from app_public.phone_numbers p where a.kind = 'number' and p.phone_number_id = a.ref
    union all
    select c.tenant_id, c.id, null from app_public.channels c where a.kind = 'waba' and c.waba_id = a.ref
  ) t on true
  left join app_public.channels tc on tc.tenant_id = t.tenant_id and tc.id = t.channel_id
  left join app_private.channel_secrets ts on ts.channel_id = tc.id
  left join app_public.channels vc on vc.app_key = a.app_key
  left join app_private.channel_secrets vs on vs.channel_id = vc.id
  cross join lateral (
    select coalesce(tc.id = vc.id
      or (tc.meta_app_id = vc.meta_app_id and ts.app_secret_fingerprint = vs.app_secret_fingerprint), false) as shared
  ) x
  where exists (
    select 1 from app_private.webhook_claims c where c.app_key = a.app_key and c.claimed_until > now()
  )
$$;

-- Changes of claimed deliveries that reached no workspace, for the platform admin.
create or replace function app_public.record_unrouted_webhook_events(p_events jsonb) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  insert into app_private.unrouted_webhook_events (delivery_id, change_index, field, phone_number_id, waba_id, reason, payload)
  select e.delivery_id, e.change_index, e.field, e.phone_number_id, e.waba_id, e.reason, e.payload
  from jsonb_to_recordset(p_events)
    as e(delivery_id uuid, change_index integer, field text, phone_number_id text, waba_id text, reason text, payload jsonb)
  where exists (
    select 1 from app_private.webhook_claims c where c.delivery_id = e.delivery_id and c.claimed_until > now()
  )
  on conflict (delivery_id, change_index) do update
    set reason = excluded.reason, payload = excluded.payload
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
  p_app_secret bytea, p_app_secret_key_id text, p_app_secret_fingerprint bytea,
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
    channel_id, tenant_id, app_secret, app_secret_key_id, app_secret_fingerprint, access_token, access_token_key_id, verify_token, verify_token_key_id
  ) values (
    p_channel_id, app_public.current_tenant_id(), p_app_secret, p_app_secret_key_id, p_app_secret_fingerprint,
    p_access_token, p_access_token_key_id, p_verify_token, p_verify_token_key_id
  )
  on conflict (channel_id) do update set
    app_secret = coalesce(excluded.app_secret, s.app_secret),
    app_secret_key_id = coalesce(excluded.app_secret_key_id, s.app_secret_key_id),
    app_secret_fingerprint = case when excluded.app_secret is null then s.app_secret_fingerprint
                                  else excluded.app_secret_fingerprint end,
    access_token = excluded.access_token,
    access_token_key_id = excluded.access_token_key_id,
    verify_token = excluded.verify_token,
    verify_token_key_id = excluded.verify_token_key_id,
    updated_at = now();
end
$$;

select app_private.grant_functions_to_app(
    'app_public.claim_webhook_jobs(uuid[])',
    'app_public.webhook_routes(text[], text[], text[])',
    'app_public.record_unrouted_webhook_events(jsonb)',
    'app_public.channel_webhook_secrets(text)',
    'app_public.channel_access_token(uuid)',
    'app_public.set_channel_secrets(uuid, bytea, text, bytea, bytea, text, bytea, text)'
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

-- Ends the claim on processed deliveries (only claimed ones: a caller cannot mark others).
create or replace function app_public.finish_webhook_deliveries(p_ids uuid[], p_errors text[]) returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  with finished as (
    delete from app_private.webhook_claims c
    using unnest(p_ids, p_errors) as f(id, error)
    where c.delivery_id = f.id
    returning c.delivery_id, f.error
  )
  update app_private.webhook_deliveries d
  set status = case when f.error is null then 'processed' else 'failed' end,
      error = f.error,
      attempts = d.attempts + 1,
      processed_at = now()
  from finished f
  where d.id = f.delivery_id and d.status <> 'invalid_json'
$$;
select app_private.grant_functions_to_app('app_public.finish_webhook_deliveries(uuid[], text[])');

-- Marks deliveries of the tenant in scope for a replay, at most p_limit of them, skipping any that
-- is already queued (a job waiting or retrying, or an earlier replay not yet started) or running.
-- Returns the marked ids (the caller queues their jobs) and how many more could be replayed.
create or replace function app_public.mark_webhook_replay(p_delivery_ids uuid[], p_limit integer)
  returns table (id uuid, remaining integer)
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
#variable_conflict use_column
begin
  return query
  with eligible as (
    select d.id from app_private.webhook_deliveries d
    where d.id = any (p_delivery_ids)
      and exists (
        select 1 from app_public.webhook_events e
        where e.delivery_id = d.id and e.tenant_id = app_public.current_tenant_id()
      )
      and d.status in ('processed', 'failed')
      and not exists (
        select 1 from app_private.webhook_claims c where c.delivery_id = d.id and c.claimed_until >= now()
      )
      -- an unstarted replay job older than its expiry is assumed lost
      and (d.replay_queued_at is null or d.replay_queued_at < now() - interval '1 hour')
      -- a replay's job (keyed by its delivery) waiting
      and not exists (
        select 1 from pgboss.job j
        where j.name = 'webhook.process' and j.singleton_key = d.id::text and j.state < 'active'
      )
      -- the delivery's own job (alone or in its group commit's) waiting to retry, or still active: a
      -- failure is recorded (claim released) a moment before pg-boss moves its job to retry
      and not exists (
        select 1 from pgboss.job j
        where j.name = 'webhook.process' and j.state in ('retry', 'active')
          and (j.data->>'deliveryId' = d.id::text or coalesce(j.data->'deliveryIds' ? d.id::text, false))
      )
  ),
  marked as (
    update app_private.webhook_deliveries d set replay_queued_at = now()
    where d.id in (
      select eligible.id from eligible order by eligible.id
      limit least(greatest(p_limit, 0), 1000)
    )
      -- re-checked on the row once its lock is had: a concurrent replay that marked it first wins
      and (d.replay_queued_at is null or d.replay_queued_at < now() - interval '1 hour')
      and not exists (
        select 1 from app_private.webhook_claims c where c.delivery_id = d.id and c.claimed_until >= now()
      )
    returning d.id
  )
  -- remaining: what this call's bound left out (a concurrent replay may have taken some of the rest)
  select marked.id, greatest((select count(*) from eligible) - least(greatest(p_limit, 0), 1000), 0)::integer
  from marked
  union all
  select null, greatest((select count(*) from eligible) - least(greatest(p_limit, 0), 1000), 0)::integer
  where not exists (select 1 from marked);
end
$$;
select app_private.grant_functions_to_app('app_public.mark_webhook_replay(uuid[], integer)');
