-- Inbox search (issue 20, item 3; server/domains/conversations/search.ts). Why SECURITY DEFINER:
-- under row-level security PostgreSQL applies the policy's qual before any qual that is not
-- LEAKPROOF, and neither the full-text match (@@) nor ILIKE/LIKE is: so, as parley_app, the GIN
-- indexes (messages_search_idx, the trigram indexes on contacts) can never be used, and every search
-- walks the workspace's rows testing each. These functions run as the owner and apply the tenant
-- filter themselves, exactly the policy's (tenant_id = current_tenant_id()); they return ids only,
-- which the caller then reads under row-level security as usual.

-- Every message of the workspace in scope matching the query (at most p_limit, in no order: the
-- caller keeps the newest). For words too rare to be found among the newest messages.
create or replace function app_public.search_message_ids(p_query tsquery, p_limit integer)
  returns table (id uuid)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select m.id from app_public.messages m
  where m.tenant_id = app_public.current_tenant_id() and m.search_vector @@ p_query
  limit least(greatest(p_limit, 0), 10000)
$$;

-- Contacts of the workspace in scope whose name (profile or agent-given) contains p_text (ILIKE
-- pattern, three characters or more) or whose number contains p_digits (LIKE pattern), at most p_limit.
create or replace function app_public.search_contact_ids(p_name_pattern text, p_digits_pattern text, p_limit integer)
  returns table (id uuid)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select k.id from app_public.contacts k
  where k.tenant_id = app_public.current_tenant_id()
    and ((p_name_pattern is not null and (k.profile_name ilike p_name_pattern or k.name ilike p_name_pattern))
         or (p_digits_pattern is not null and k.wa_id like p_digits_pattern))
  limit least(greatest(p_limit, 0), 1000)
$$;

select app_private.grant_functions_to_app(
  'app_public.search_message_ids(tsquery, integer)',
  'app_public.search_contact_ids(text, text, integer)'
);
