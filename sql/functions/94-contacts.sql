-- Contacts (issue 21): the workspace's contact settings, which live on app_private.tenants.

-- The country assumed for numbers written without one, and the inbound texts that opt a contact out.
create or replace function app_public.contact_settings()
  returns table (default_country text, opt_out_keywords text[])
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select t.default_country, t.opt_out_keywords from app_private.tenants t where t.id = app_public.current_tenant_id()
$$;
select app_private.grant_functions_to_app('app_public.contact_settings()');

-- Sets both for the workspace in scope (admins only: checked by the caller). Keywords are kept
-- upper-case, trimmed and unique, as the opt-out trigger compares them.
create or replace function app_public.set_contact_settings(p_default_country text, p_opt_out_keywords text[])
  returns void
  language sql volatile security definer
  set search_path = pg_catalog
as $$
  update app_private.tenants
  set default_country = p_default_country,
      opt_out_keywords = coalesce((
        select array_agg(distinct upper(trim(k))) from unnest(p_opt_out_keywords) k where trim(k) <> ''
      ), '{}')
  where id = app_public.current_tenant_id()
$$;
select app_private.grant_functions_to_app('app_public.set_contact_settings(text, text[])');

-- An inbound text that is one of the workspace's opt-out keywords ("stop", " Stop! ") opts its
-- contact out. One statement per insert statement (transition table), so webhook processing stays
-- set-based; contacts already opted out keep their first opt-out. The contacts are updated through
-- `id = any(…)` on their primary key: as a join, the planner (which cannot estimate
-- `tenant_id = current_tenant_id()` or a transition table) looped over every contact of the
-- workspace for each opting-out message (0.3–2 s per webhook batch at a few thousand contacts).
create or replace function app_private.tg_messages__opt_out_keywords() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  keywords text[] := (select s.opt_out_keywords from app_public.contact_settings() s);
  tenants uuid[];
  contact_ids uuid[];
  opted_at timestamptz[];
  words text[];
begin
  if coalesce(cardinality(keywords), 0) = 0 then
    return null;
  end if;
  select array_agg(m.tenant_id), array_agg(m.contact_id), array_agg(m.occurred_at), array_agg(m.keyword)
  into tenants, contact_ids, opted_at, words
  from (
    select distinct on (x.tenant_id, x.contact_id) x.*
    from (
      select n.tenant_id, n.occurred_at, upper(btrim(n.body, E' \t\r\n.!¡')) as keyword,
             (select c.contact_id from app_public.conversations c
              where c.tenant_id = n.tenant_id and c.id = n.conversation_id) as contact_id
      from inserted n
      where n.direction = 'inbound' and n.type = 'text' and length(n.body) <= 40
        and upper(btrim(n.body, E' \t\r\n.!¡')) = any(keywords)
    ) x
    order by x.tenant_id, x.contact_id, x.occurred_at
  ) m;
  if contact_ids is null then
    return null;
  end if;
  update app_public.contacts k
  set opted_out_at = m.occurred_at, opt_out_source = 'keyword: ' || m.keyword
  from unnest(tenants, contact_ids, opted_at, words) as m (tenant_id, contact_id, occurred_at, keyword)
  where k.tenant_id = any(tenants) and k.id = any(contact_ids)
    and k.tenant_id = m.tenant_id and k.id = m.contact_id and k.opted_out_at is null;
  return null;
end
$$;
revoke all on function app_private.tg_messages__opt_out_keywords() from public;
