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

-- The messages of a batch with what their limits depend on, in the order given.
create or replace function app_private.send_batch_rows(p_tenant uuid, p_messages uuid[])
returns table (
  ord bigint, id uuid, type text, phone uuid, throughput_mps integer, messaging_limit_tier text,
  recipient text, messages_per_minute integer, window_open boolean
)
  language sql stable
  set search_path = pg_catalog
as $$
  select u.ord, msg.id, msg.type, p.id, p.throughput_mps, p.messaging_limit_tier,
         coalesce(k.wa_id, k.id::text), pl.messages_per_minute,
         coalesce(c.last_inbound_at > now() - interval '24 hours', false)
  from unnest(p_messages) with ordinality as u(id, ord)
  join app_public.messages msg on msg.tenant_id = p_tenant and msg.id = u.id and msg.direction = 'outbound'
  join app_public.conversations c on c.tenant_id = msg.tenant_id and c.id = msg.conversation_id
  join app_public.phone_numbers p on p.tenant_id = c.tenant_id and p.id = c.phone_number_id
  join app_public.contacts k on k.tenant_id = c.tenant_id and k.id = c.contact_id
  join app_private.tenants t on t.id = msg.tenant_id
  join app_private.plans pl on pl.id = t.plan_id
$$;

-- app_public.reserve_send_slots(messages, max_wait) does the same for many messages in one call (a
-- worker's batch), in the order given: every bucket the batch touches is locked once, in key order
-- (the same order reserve_send_slot uses: number < pair < plan), its level kept in memory while the
-- batch is paced, and written back once. One row per message found, with the slot's time (slot_at,
-- database clock) when one was reserved; a message whose wait exceeds max_wait takes nothing.
create or replace function app_public.reserve_send_slots(p_messages uuid[], p_max_wait double precision)
returns table (message_id uuid, wait_seconds double precision, slot_at timestamptz, refusal text, tier_limit integer)
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  m record;
  keys text[];
  rates double precision[];
  bursts double precision[];
  levels double precision[] := '{}';
  stored record;
  at timestamptz;
  own integer[];
  worst double precision;
  i integer;
  k integer;
  used integer;
  tier integer;
  tenant uuid := app_public.current_tenant_id();
begin
  -- Every bucket of the batch, in key order, with its rate and burst.
  select array_agg(b.key order by b.key), array_agg(b.rate order by b.key), array_agg(b.burst order by b.key)
  into keys, rates, bursts
  from (
    select distinct on (x.key) x.key, x.rate, x.burst
    from app_private.send_batch_rows(tenant, p_messages) s
    cross join lateral (values
      ('number:' || s.phone, s.throughput_mps::double precision, greatest(1, s.throughput_mps / 10.0)),
      ('pair:' || s.phone || ':' || s.recipient, 1.0 / 6, 40::double precision),
      ('plan:' || tenant, s.messages_per_minute / 60.0, s.messages_per_minute::double precision)
    ) as x(key, rate, burst)
    order by x.key
  ) b;
  if keys is null then
    return;
  end if;

  insert into app_private.send_buckets (key, tokens, updated_at)
  select u.key, u.burst, clock_timestamp() from unnest(keys, bursts) as u(key, burst)
  on conflict (key) do nothing;
  perform 1 from app_private.send_buckets b where b.key = any(keys) order by b.key for update;
  -- Read the clock once every lock is held: a caller that waited for a lock sees the refills of the wait.
  at := clock_timestamp();
  for i in 1 .. array_length(keys, 1) loop
    select b.tokens, b.updated_at into stored from app_private.send_buckets b where b.key = keys[i];
    levels[i] := least(bursts[i], stored.tokens + greatest(0, extract(epoch from at - stored.updated_at)) * rates[i]);
  end loop;

  for m in select * from app_private.send_batch_rows(tenant, p_messages) s order by s.ord loop
    own := array[
      array_position(keys, 'number:' || m.phone),
      array_position(keys, 'pair:' || m.phone || ':' || m.recipient),
      array_position(keys, 'plan:' || tenant)
    ];
    worst := 0;
    foreach k in array own loop
      worst := greatest(worst, (1 - levels[k]) / rates[k]);
    end loop;
    if worst > p_max_wait then
      message_id := m.id; wait_seconds := worst; slot_at := null; refusal := null; tier_limit := null;
      return next;
      continue;
    end if;

    tier := app_private.messaging_tier_limit(m.messaging_limit_tier);
    if m.type = 'template' and not m.window_open and tier is not null then
      perform pg_advisory_xact_lock(hashtextextended('parley:tier:' || m.phone, 0));
      if not exists (
        select 1 from app_private.business_initiated_recipients r
        where r.tenant_id = tenant and r.phone_number_id = m.phone and r.wa_id = m.recipient
          and r.last_at > at - interval '24 hours'
      ) then
        select count(*) into used from app_private.business_initiated_recipients r
        where r.tenant_id = tenant and r.phone_number_id = m.phone and r.last_at > at - interval '24 hours';
        if used >= tier then
          message_id := m.id; wait_seconds := null; slot_at := null; refusal := 'tier'; tier_limit := tier;
          return next;
          continue;
        end if;
      end if;
      insert into app_private.business_initiated_recipients (tenant_id, phone_number_id, wa_id, last_at)
      values (tenant, m.phone, m.recipient, at)
      on conflict (tenant_id, phone_number_id, wa_id) do update set last_at = excluded.last_at;
    end if;

    foreach k in array own loop
      levels[k] := levels[k] - 1;
    end loop;
    message_id := m.id; wait_seconds := worst; slot_at := at + make_interval(secs => worst);
    refusal := null; tier_limit := null;
    return next;
  end loop;

  update app_private.send_buckets b set tokens = u.level, updated_at = at
  from unnest(keys, levels) as u(key, level) where b.key = u.key;
end
$$;

select app_private.grant_functions_to_app('app_public.reserve_send_slots(uuid[], double precision)');

create or replace function app_public.reserve_send_slot(p_message uuid, p_max_wait double precision default 1)
returns table (wait_seconds double precision, refusal text, tier_limit integer)
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  return query select s.wait_seconds, s.refusal, s.tier_limit from app_public.reserve_send_slots(array[p_message], p_max_wait) s;
  if not found then
    raise exception 'reserve_send_slot: no such outbound message in this workspace' using errcode = '22023';
  end if;
end
$$;

select app_private.grant_functions_to_app('app_public.reserve_send_slot(uuid, double precision)');

-- A status webhook names the message Parley sent by biz_opaque_callback_data ("parley:<message id>"):
-- when the send's outcome was unknown (no wamid recorded), this is how Parley learns Meta accepted it.
-- Idempotent: only a message still without a wamid takes it, and statuses already stored for the
-- wamid then raise it. A status proves Meta took the message, so any message without a wamid takes
-- it: one failed as "most likely not sent" whose status came late comes back to life (the customer
-- got it), and one whose attempt is not recorded is never sent again.
create or replace function app_public.reconcile_sent_message(p_message uuid, p_wamid text) returns boolean
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  update app_public.messages
  set wamid = p_wamid, status = 'pending', error = null, send_claimed_until = null, send_attempted_at = null
  where id = p_message and direction = 'outbound' and wamid is null;
  if not found then
    return false;
  end if;
  perform app_public.apply_best_status(p_wamid);
  return true;
end
$$;
select app_private.grant_functions_to_app('app_public.reconcile_sent_message(uuid, text)');
