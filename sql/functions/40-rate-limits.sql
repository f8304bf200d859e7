-- Token bucket: takes `cost` tokens from bucket `bucket_key` if it holds that many, refilling at `rate`
-- tokens per second up to `burst`. One INSERT … ON CONFLICT statement, so concurrent callers serialise
-- on the bucket's row and never overdraw it. Returns whether the tokens were taken.
create or replace function app_public.take_tokens(
  bucket_key text,
  rate double precision,
  burst double precision,
  cost double precision default 1
) returns boolean
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  taken boolean;
begin
  if rate <= 0 or burst <= 0 or cost < 0 then
    raise exception 'take_tokens: rate and burst must be positive and cost non-negative' using errcode = '22023';
  end if;
  if cost > burst then
    return false;
  end if;
  insert into app_private.rate_limit_buckets as b (key, tokens, updated_at)
  values (bucket_key, burst - cost, clock_timestamp())
  on conflict (key) do update
    set tokens = least(burst, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * rate) - cost,
        updated_at = clock_timestamp()
    where least(burst, b.tokens + extract(epoch from clock_timestamp() - b.updated_at) * rate) >= cost
  returning true into taken;
  return coalesce(taken, false);
end
$$;
select app_private.grant_functions_to_app('app_public.take_tokens(text, double precision, double precision, double precision)');
