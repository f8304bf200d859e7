-- The contact behind an inbound message, found by phone number (wa_id) or business-scoped user id
-- (bsuid), created when new. Keeps its signature for every caller (webhook processing).
-- NOTE for merging: this supersedes the older definition in 85-inbound.sql (files apply in name
-- order, so this one wins); delete that one there.
create or replace function app_public.upsert_contact(p_wa_id text, p_bsuid text, p_profile_name text, p_username text)
  returns uuid
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  found_id uuid;
begin
  -- Two passes at most: when the insert loses a race with another worker's (on conflict do nothing
  -- waits for it to commit), the second pass finds the row that worker created.
  for attempt in 1..2 loop
    select c.id into found_id from app_public.contacts c
    where (p_wa_id is not null and c.wa_id = p_wa_id) or (p_bsuid is not null and c.bsuid = p_bsuid)
    order by (c.wa_id is not distinct from p_wa_id) desc
    limit 1;
    if found_id is not null then
      -- Writes only what changes (an update that writes the same values still costs a row version).
      update app_public.contacts c set
        profile_name = coalesce(p_profile_name, c.profile_name),
        username = coalesce(p_username, c.username),
        wa_id = case when c.wa_id is null and p_wa_id is not null
                      and not exists (select 1 from app_public.contacts o where o.wa_id = p_wa_id) then p_wa_id else c.wa_id end,
        bsuid = case when p_bsuid is not null
                      and not exists (select 1 from app_public.contacts o where o.bsuid = p_bsuid and o.id <> c.id) then p_bsuid else c.bsuid end
      where c.id = found_id
        and (
          (coalesce(p_profile_name, c.profile_name), coalesce(p_username, c.username)) is distinct from (c.profile_name, c.username)
          or (c.wa_id is null and p_wa_id is not null)
          or (p_bsuid is not null and c.bsuid is distinct from p_bsuid)
        );
      return found_id;
    end if;
    insert into app_public.contacts (tenant_id, wa_id, bsuid, profile_name, username)
    values (app_public.current_tenant_id(), p_wa_id, p_bsuid, p_profile_name, p_username)
    on conflict do nothing
    returning id into found_id;
    if found_id is not null then
      return found_id;
    end if;
  end loop;
  -- The conflicting row vanished between the passes (deleted meanwhile): the job's retry settles it.
  raise exception 'contact changed concurrently, retry' using errcode = '40001';
end
$$;

select app_private.grant_functions_to_app('app_public.upsert_contact(text, text, text, text)');
