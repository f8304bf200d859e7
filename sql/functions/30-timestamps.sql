-- Keeps created_at immutable and moves updated_at forward on every update (strictly, so clients can
-- use it as a version even within one transaction's now()).
create or replace function app_private.tg__timestamps() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  new.created_at := old.created_at;
  new.updated_at := greatest(now(), old.updated_at + interval '1 microsecond');
  return new;
end
$$;
