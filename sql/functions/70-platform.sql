-- Platform operator functions. Each checks that the transaction carries a live session
-- (app.session_id, the sha256 of the cookie token, which only its holder and the database know) of a
-- platform admin, who is also the user in scope (app.user_id). A user id alone is no credential (ids
-- are shown to teammates), so SQL run as parley_app cannot act as an operator without one's session.

create or replace function app_private.assert_platform_admin() returns void
  language plpgsql stable
  set search_path = pg_catalog
as $$
begin
  if not exists (
    select 1
    from app_private.sessions s
    join app_private.users u on u.id = s.user_id
    where s.id = current_setting('app.session_id', true)
      and s.expires_at > now()
      and u.id = app_public.current_user_id()
      and u.is_platform_admin
  ) then
    raise exception 'Only platform administrators can do this.' using errcode = 'PY040';
  end if;
end
$$;

create or replace function app_public.platform_plans()
  returns table (id text, name text, messages_per_minute integer, monthly_conversations integer, seats integer, channels integer)
  language plpgsql stable security definer
  set search_path = pg_catalog
as $$
begin
  perform app_private.assert_platform_admin();
  return query
    select p.id, p.name, p.messages_per_minute, p.monthly_conversations, p.seats, p.channels
    from app_private.plans p order by p.messages_per_minute;
end
$$;

create or replace function app_public.platform_tenants()
  returns table (id uuid, name text, slug text, status text, suspended_reason text, plan_id text,
                 members integer, created_at timestamptz)
  language plpgsql stable security definer
  set search_path = pg_catalog
as $$
begin
  perform app_private.assert_platform_admin();
  return query
    select t.id, t.name, t.slug, t.status, t.suspended_reason, t.plan_id,
           (select count(*)::int from app_public.memberships m where m.tenant_id = t.id), t.created_at
    from app_private.tenants t
    order by t.created_at desc;
end
$$;

create or replace function app_public.platform_set_tenant_status(p_tenant_id uuid, p_suspended boolean, p_reason text)
  returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  perform app_private.assert_platform_admin();
  update app_private.tenants
  set status = case when p_suspended then 'suspended' else 'active' end,
      suspended_at = case when p_suspended then coalesce(suspended_at, now()) end,
      suspended_reason = case when p_suspended then p_reason end
  where id = p_tenant_id;
  if not found then
    raise exception 'No such workspace.' using errcode = 'PY042';
  end if;
end
$$;

create or replace function app_public.platform_set_tenant_plan(p_tenant_id uuid, p_plan_id text)
  returns void
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  perform app_private.assert_platform_admin();
  if not exists (select 1 from app_private.plans p where p.id = p_plan_id) then
    raise exception 'No plan "%".', p_plan_id using errcode = 'PY041';
  end if;
  update app_private.tenants set plan_id = p_plan_id where id = p_tenant_id;
  if not found then
    raise exception 'No such workspace.' using errcode = 'PY042';
  end if;
end
$$;

select app_private.grant_functions_to_app(
    'app_public.platform_plans()',
    'app_public.platform_tenants()',
    'app_public.platform_set_tenant_status(uuid, boolean, text)',
    'app_public.platform_set_tenant_plan(uuid, text)'
);

-- Webhook changes no tenant claimed, with why (reason): 'unknown' when no channel has the number or
-- WABA, 'other_app' when one has it but the delivery came through another Meta app or secret. Rows
-- from before reasons were recorded (000006) could only be 'unknown'. Dropped first: its columns grew.
drop function if exists app_public.platform_unrouted_webhooks(integer);
create function app_public.platform_unrouted_webhooks(p_limit integer)
  returns table (
    id uuid, delivery_id uuid, field text, phone_number_id text, waba_id text, reason text,
    payload jsonb, created_at timestamptz
  )
  language plpgsql stable security definer
  set search_path = pg_catalog
as $$
begin
  perform app_private.assert_platform_admin();
  return query
    select u.id, u.delivery_id, u.field, u.phone_number_id, u.waba_id, coalesce(u.reason, 'unknown'),
           u.payload, u.created_at
    from app_private.unrouted_webhook_events u
    order by u.created_at desc
    limit least(greatest(p_limit, 1), 500);
end
$$;
select app_private.grant_functions_to_app('app_public.platform_unrouted_webhooks(integer)');
