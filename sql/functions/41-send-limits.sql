-- The send pipeline's rate limits (issue 18), shared by every worker on the database.
--
-- app_public.reserve_send_slot(message, max_wait) decides when one pending outbound message may go
-- to Meta, against every limit at once:
--   * the phone number's throughput (phone_numbers.throughput_mps: 80 by default, up to 1,000 when
--     Meta raises the number's throughput level), with a burst of a tenth of a second, so Parley's
--     pace never outruns Meta's one-second bucket (130429);
--   * the pair rate, number → customer: one message per 6 s, with a burst of 40 (Meta allows 45
--     within 6 s; the margin absorbs network jitter), to avoid 131056;
--   * the workspace plan's messages per minute (a minute's worth of burst);
--   * the messaging tier: unique customers reached by business-initiated conversations (templates
--     outside the customer-service window) over a moving 24 hours. This one is a hard limit.
-- Buckets may go negative: a slot is reserved up to `max_wait` seconds ahead (GCRA), and the caller
-- sleeps until it. When any bucket would make the message wait longer, nothing is taken and the wait
-- is returned, so the job comes back later (never fails). Rows are locked in one order (number, pair,
-- plan), so concurrent callers serialise per bucket without deadlocks and never overdraw one.
-- Returns (wait_seconds, refusal): refusal 'tier' (with the limit in `tier_limit`) means the
-- message must not be sent now at all.
create or replace function app_private.messaging_tier_limit(p_tier text) returns integer
  language sql immutable parallel safe
  set search_path = pg_catalog
as $$
  select case upper(coalesce(p_tier, ''))
    when 'TIER_50' then 50 when 'TIER_250' then 250 when 'TIER_1K' then 1000 when 'TIER_2K' then 2000
    when 'TIER_10K' then 10000 when 'TIER_100K' then 100000
    else null end  -- TIER_UNLIMITED, or not known yet: Meta is the judge
$$;

create or replace function app_public.reserve_send_slot(p_message uuid, p_max_wait double precision default 1)
returns table (wait_seconds double precision, refusal text, tier_limit integer)
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  m record;
  keys text[];
  rates double precision[];
  bursts double precision[];
  level double precision[] := '{}';
  stored record;
  at timestamptz;
  worst double precision := 0;
  i integer;
  used integer;
begin
  select msg.tenant_id, msg.type, p.id as phone, p.throughput_mps, p.messaging_limit_tier,
         coalesce(k.wa_id, k.id::text) as recipient, pl.messages_per_minute,
         coalesce(c.last_inbound_at > now() - interval '24 hours', false) as window_open
  into m
  from app_public.messages msg
  join app_public.conversations c on c.tenant_id = msg.tenant_id and c.id = msg.conversation_id
  join app_public.phone_numbers p on p.tenant_id = c.tenant_id and p.id = c.phone_number_id
  join app_public.contacts k on k.tenant_id = c.tenant_id and k.id = c.contact_id
  join app_private.tenants t on t.id = msg.tenant_id
  join app_private.plans pl on pl.id = t.plan_id
  where msg.tenant_id = app_public.current_tenant_id() and msg.id = p_message and msg.direction = 'outbound';
  if not found then
    raise exception 'reserve_send_slot: no such outbound message in this workspace' using errcode = '22023';
  end if;

  keys := array['number:' || m.phone, 'pair:' || m.phone || ':' || m.recipient, 'plan:' || m.tenant_id];
  rates := array[m.throughput_mps::double precision, 1.0 / 6, m.messages_per_minute / 60.0];
  bursts := array[greatest(1, m.throughput_mps / 10.0), 40, m.messages_per_minute::double precision];

  insert into app_private.send_buckets (key, tokens, updated_at)
  select key, burst, clock_timestamp() from unnest(keys, bursts) as u(key, burst)
  on conflict (key) do nothing;
  for i in 1 .. 3 loop
    perform 1 from app_private.send_buckets b where b.key = keys[i] for update;
  end loop;
  -- Read the clock once every lock is held: a caller that waited for a lock sees the refills of the wait.
  at := clock_timestamp();
  for i in 1 .. 3 loop
    select b.tokens, b.updated_at into stored from app_private.send_buckets b where b.key = keys[i];
    level[i] := least(bursts[i], stored.tokens + greatest(0, extract(epoch from at - stored.updated_at)) * rates[i]);
    worst := greatest(worst, (1 - level[i]) / rates[i]);
  end loop;
  if worst > p_max_wait then
    return query select worst, null::text, null::integer;
    return;
  end if;

  if m.type = 'template' and not m.window_open and app_private.messaging_tier_limit(m.messaging_limit_tier) is not null then
    perform pg_advisory_xact_lock(hashtextextended('parley:tier:' || m.phone, 0));
    if not exists (
      select 1 from app_private.business_initiated_recipients r
      where r.tenant_id = m.tenant_id and r.phone_number_id = m.phone and r.wa_id = m.recipient
        and r.last_at > at - interval '24 hours'
    ) then
      select count(*) into used from app_private.business_initiated_recipients r
      where r.tenant_id = m.tenant_id and r.phone_number_id = m.phone and r.last_at > at - interval '24 hours';
      if used >= app_private.messaging_tier_limit(m.messaging_limit_tier) then
        return query select null::double precision, 'tier'::text, app_private.messaging_tier_limit(m.messaging_limit_tier);
        return;
      end if;
    end if;
    insert into app_private.business_initiated_recipients (tenant_id, phone_number_id, wa_id, last_at)
    values (m.tenant_id, m.phone, m.recipient, at)
    on conflict (tenant_id, phone_number_id, wa_id) do update set last_at = excluded.last_at;
  end if;

  for i in 1 .. 3 loop
    update app_private.send_buckets b set tokens = level[i] - 1, updated_at = at where b.key = keys[i];
  end loop;
  return query select greatest(0, worst), null::text, null::integer;
end
$$;

select app_private.grant_functions_to_app('app_public.reserve_send_slot(uuid, double precision)');

-- A status webhook names the message Parley sent by biz_opaque_callback_data ("parley:<message id>"):
-- when the send's outcome was unknown (no wamid recorded), this is how Parley learns Meta accepted it.
-- Idempotent: only a message still without a wamid takes it, and statuses already stored for the
-- wamid then raise it (a message failed as "outcome unknown" comes back to life too).
create or replace function app_public.reconcile_sent_message(p_message uuid, p_wamid text) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  update app_public.messages
  set wamid = p_wamid, status = 'pending', error = null, send_claimed_until = null, send_attempted_at = null
  where id = p_message and direction = 'outbound' and wamid is null and send_attempted_at is not null;
  if not found then
    return false;
  end if;
  perform app_public.apply_best_status(p_wamid);
  return true;
end
$$;
select app_private.grant_functions_to_app('app_public.reconcile_sent_message(uuid, text)');
