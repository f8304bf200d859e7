-- Functions parley_app may call: nobody else (revoke from public), then parley_app. Used by every file
-- below instead of repeating the pair of statements per function.
create or replace function app_private.grant_functions_to_app(variadic fns regprocedure[]) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  fn regprocedure;
begin
  foreach fn in array fns loop
    execute format('revoke all on function %s from public', fn);
    execute format('grant execute on function %s to parley_app', fn);
  end loop;
end
$$;

-- The request scope that withTenant()/withPlatform() set per transaction with set_config(…, true).
-- Policies read the tenant only through current_tenant_id(), so the rule lives in one place.

-- No SET clause (names are schema-qualified instead): a SQL function with one is never inlined, and
-- the policies call this one for every row they check (~115 calls per processed webhook event, each
-- a function call with its own executor start). Inlined, it is a plain expression.
create or replace function app_public.current_tenant_id() returns uuid
  language sql stable parallel safe
as $$
  select nullif(pg_catalog.current_setting('app.tenant_id', true), ''::pg_catalog.text)::pg_catalog.uuid
$$;

create or replace function app_public.current_user_id() returns uuid
  language sql stable parallel safe
  set search_path = pg_catalog
as $$
  select nullif(current_setting('app.user_id', true), '')::uuid
$$;

grant execute on function app_public.current_tenant_id() to parley_app;
grant execute on function app_public.current_user_id() to parley_app;

-- The tenant in scope, for parley_app, which cannot read app_private.tenants itself.
drop function if exists app_public.current_tenant();
create function app_public.current_tenant()
  returns table (id uuid, slug text, name text, status text, created_at timestamptz)
  language sql stable security definer
  set search_path = pg_catalog
as $$
  select t.id, t.slug, t.name, t.status, t.created_at
  from app_private.tenants t
  where t.id = app_public.current_tenant_id()
$$;
select app_private.grant_functions_to_app('app_public.current_tenant()');
