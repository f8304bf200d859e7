-- The conversation workflow (issue 20, item 2): status, snooze, assignment. The service
-- (server/domains/conversations/workflow.ts) changes a conversation with a conditional update on
-- workflow_version; these triggers move the version and record the activity timeline for every
-- workflow change, whoever makes it — an agent, a customer's message reopening a resolved or snoozed
-- conversation (the set-based webhook statements included), or the snooze alarm.

-- Moves workflow_version when status, snooze or assignment change (a new message does not).
create or replace function app_private.tg_conversations__workflow_version() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  if (new.status, new.snoozed_until, new.assigned_user_id, new.assigned_team_id)
     is distinct from (old.status, old.snoozed_until, old.assigned_user_id, old.assigned_team_id) then
    new.workflow_version := old.workflow_version + 1;
  end if;
  return new;
end
$$;

-- One activity row per changed conversation and kind of change, for the whole statement at once.
-- SECURITY INVOKER: it writes under the caller's tenant scope (the alarm sets it per tenant).
create or replace function app_private.tg_conversations__workflow_activity() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  insert into app_public.conversation_activities
    (tenant_id, conversation_id, actor_user_id, action, status, snoozed_until, assigned_user_id, assigned_team_id)
  select n.tenant_id, n.id, app_public.current_user_id(), 'status', n.status, n.snoozed_until, null, null
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where (n.status, n.snoozed_until) is distinct from (o.status, o.snoozed_until)
  union all
  -- Round robin (app_public.auto_assign_due_conversations) marks its own assignments.
  select n.tenant_id, n.id, app_public.current_user_id(),
         case when current_setting('app.auto_assign', true) = 'on' then 'auto_assigned' else 'assigned' end,
         null, null, n.assigned_user_id, n.assigned_team_id
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where (n.assigned_user_id, n.assigned_team_id) is distinct from (o.assigned_user_id, o.assigned_team_id);
  return null;
end
$$;

-- The snooze alarm (the conversation.wake job, as the owner): reopens every conversation whose snooze
-- has ended, one tenant scope at a time so row-level security and the activity trigger see a tenant.
-- Returns how many woke.
create or replace function app_private.wake_snoozed_conversations() returns integer
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  tenant uuid;
  woken integer := 0;
  n integer;
begin
  for tenant in select t.id from app_private.tenants t loop
    perform set_config('app.tenant_id', tenant::text, true);
    perform set_config('app.user_id', '', true);
    update app_public.conversations c set status = 'open', snoozed_until = null
    where c.status = 'snoozed' and c.snoozed_until <= now();
    get diagnostics n = row_count;
    woken := woken + n;
    -- Round robin for those woken unassigned, and the sweep of any left due (92-collaboration.sql).
    perform app_public.auto_assign_due_conversations();
  end loop;
  perform set_config('app.tenant_id', '', true);
  return woken;
end
$$;
revoke all on function app_private.wake_snoozed_conversations() from public;
