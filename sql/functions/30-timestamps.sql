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
