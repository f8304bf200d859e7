-- Keeps created_at immutable and moves updated_at forward when a row really changes (strictly, so
-- clients can use it as a version even within one transaction's now()). An update that writes the
-- same values (a replayed webhook, say) leaves updated_at alone.
create or replace function app_private.tg__timestamps() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  if new is not distinct from old then
    return new;
  end if;
  new.created_at := old.created_at;
  new.updated_at := greatest(now(), old.updated_at + interval '1 microsecond');
  return new;
end
$$;

-- A timestamp inside JSON built by a query (json_build_object), written the way the server writes a
-- top-level timestamptz column (Date.toISOString(): UTC, milliseconds, "Z"), so a nested shape and a
-- column of the same row read alike.
create or replace function app_public.iso_time(value timestamptz) returns text
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select to_char(value at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

select app_private.grant_functions_to_app('app_public.iso_time(timestamptz)');
