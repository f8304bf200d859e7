-- Puts a tenant table under row-level security: ENABLE + FORCE (so even the table owner is filtered)
-- and one policy per command on tenant_id = current_tenant_id(). Every tenant table's file in
-- sql/policies/ calls this, then grants column-scoped privileges to parley_app.
create or replace function app_private.apply_tenant_policies(target regclass) returns void
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  command text;
begin
  execute format('alter table %s enable row level security', target);
  execute format('alter table %s force row level security', target);
  foreach command in array array['select', 'insert', 'update', 'delete'] loop
    execute format('drop policy if exists %I on %s', command || '_same_tenant', target);
    execute format(
      'create policy %I on %s for %s to parley_app %s',
      command || '_same_tenant',
      target,
      command,
      case command
        when 'insert' then 'with check (tenant_id = app_public.current_tenant_id())'
        when 'update' then 'using (tenant_id = app_public.current_tenant_id()) with check (tenant_id = app_public.current_tenant_id())'
        else 'using (tenant_id = app_public.current_tenant_id())'
      end
    );
  end loop;
end
$$;
revoke all on function app_private.apply_tenant_policies(regclass) from public;
