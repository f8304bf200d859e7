-- Collaboration (issue 20, item 2): internal notes with @mentions, notifications, round-robin
-- auto-assignment. Triggers in sql/triggers/collaboration.sql.

-- A note (inserted by server/domains/notes under the tenant's scope) goes on the activity timeline,
-- notifies the members it mentions (not its author), and is announced: note.created to the team,
-- notification.created to the recipients only (server/realtime/visibility.ts: its entity ids are the
-- recipients' user ids). SECURITY INVOKER: everything is written under the caller's tenant scope.
create or replace function app_private.tg_conversation_notes__after_insert() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  recipients uuid[];
  notes uuid[];
  conversations uuid[];
begin
  insert into app_public.conversation_activities (tenant_id, conversation_id, actor_user_id, action, note_id)
  select n.tenant_id, n.conversation_id, n.author_user_id, 'note', n.id from new_rows n;

  with notified as (
    insert into app_public.notifications (tenant_id, user_id, kind, conversation_id, actor_user_id, note_id)
    select distinct n.tenant_id, m.user_id, 'mention', n.conversation_id, n.author_user_id, n.id
    from new_rows n
    cross join lateral unnest(n.mentioned_user_ids) as mentioned (user_id)
    join app_public.memberships m on m.tenant_id = n.tenant_id and m.user_id = mentioned.user_id
    where m.user_id is distinct from n.author_user_id
    returning user_id
  )
  select array_agg(distinct user_id) into recipients from notified;

  select array_agg(n.id), array_agg(distinct n.conversation_id) into notes, conversations from new_rows n;
  perform app_public.record_realtime_event('note.created', notes, conversations);
  if recipients is not null then
    perform app_public.record_realtime_event('notification.created', recipients, '{}');
  end if;
  return null;
end
$$;

-- A conversation assigned to a member by someone else (another agent, or round robin) notifies them.
create or replace function app_private.tg_conversations__assignment_notify() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  recipients uuid[];
begin
  with notified as (
    insert into app_public.notifications (tenant_id, user_id, kind, conversation_id, actor_user_id)
    select n.tenant_id, n.assigned_user_id, 'assigned', n.id, app_public.current_user_id()
    from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    where n.assigned_user_id is not null
      and n.assigned_user_id is distinct from o.assigned_user_id
      and n.assigned_user_id is distinct from app_public.current_user_id()
    returning user_id
  )
  select array_agg(distinct user_id) into recipients from notified;
  if recipients is not null then
    perform app_public.record_realtime_event('notification.created', recipients, '{}');
  end if;
  return null;
end
$$;

-- Conversations that open (new, or reopened by a customer, an agent or the snooze alarm) without an
-- assignee, on a phone number with a round-robin rule, get a conversation.autoassign job — in the
-- statement that opened them, one job per tenant for the whole batch. The job assigns them in its own
-- short transaction (app_public.auto_assign_conversations), so a webhook batch never waits on, or holds,
-- the rule's lock. SECURITY DEFINER because only the owner may write pg-boss's tables (as
-- app_private.tg_messages__queue_media_fetch does).
create or replace function app_private.tg_conversations__queue_auto_assign() returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
declare
  v_queued integer;
  v_opened jsonb;
begin
  if to_regclass('pgboss.queue') is null then
    return null;
  end if;
  -- (Each branch names only the transition tables its operation has.)
  if tg_op = 'INSERT' then
    select jsonb_agg(jsonb_build_object('tenantId', n.tenant_id, 'id', n.id)) into v_opened
    from new_rows n
    join app_public.auto_assignment_rules r on r.tenant_id = n.tenant_id and r.phone_number_id = n.phone_number_id
    where n.status = 'open' and n.assigned_user_id is null and n.assigned_team_id is null;
  else
    select jsonb_agg(jsonb_build_object('tenantId', n.tenant_id, 'id', n.id)) into v_opened
    from new_rows n
    join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    join app_public.auto_assignment_rules r on r.tenant_id = n.tenant_id and r.phone_number_id = n.phone_number_id
    where n.status = 'open' and o.status <> 'open' and n.assigned_user_id is null and n.assigned_team_id is null;
  end if;
  if v_opened is null then
    return null;
  end if;
  with opened as (
    select (e ->> 'tenantId')::uuid as tenant_id, (e ->> 'id')::uuid as id from jsonb_array_elements(v_opened) e
  ), queued as (
    insert into pgboss.job (
      name, data, retry_limit, retry_delay, retry_backoff, retry_delay_max, expire_seconds,
      deletion_seconds, keep_until, policy, dead_letter, heartbeat_seconds
    )
    select q.name, jsonb_build_object('tenantId', o.tenant_id, 'conversationIds', jsonb_agg(o.id)),
           q.retry_limit, q.retry_delay, q.retry_backoff, q.retry_delay_max, q.expire_seconds,
           q.deletion_seconds, now() + q.retention_seconds * interval '1 second', q.policy, q.dead_letter,
           q.heartbeat_seconds
    from opened o join pgboss.queue q on q.name = 'conversation.autoassign'
    group by o.tenant_id, q.name, q.retry_limit, q.retry_delay, q.retry_backoff, q.retry_delay_max,
             q.expire_seconds, q.deletion_seconds, q.retention_seconds, q.policy, q.dead_letter,
             q.heartbeat_seconds
    returning 1
  )
  select count(*) into v_queued from queued;
  if v_queued > 0 then
    perform pg_notify('pgboss_' || left(encode(sha224('pgboss'::bytea), 'hex'), 24), 'conversation.autoassign');
  end if;
  return null;
end
$$;
revoke all on function app_private.tg_conversations__queue_auto_assign() from public;

-- Round robin, for the tenant in scope: each of the given conversations that is still open and nobody's
-- goes to the next available member (owner, admin or agent; of the rule's team when it names one) after
-- the rule's cursor, by user id, wrapping around — so members take turns whatever order they became
-- available in. The rule rows are locked first, in one order, so concurrent workers take turns on a
-- phone number's cursor instead of giving two conversations to the same member or deadlocking; an
-- agent assigning the conversation meanwhile wins (the conversation is re-checked under its lock).
-- Returns what was assigned. The activity trigger records 'auto_assigned'; the assignee is notified.
create or replace function app_public.auto_assign_conversations(p_conversation_ids uuid[])
  returns table (conversation_id uuid, user_id uuid)
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  conv record;
  rule record;
  chosen uuid;
begin
  perform 1 from app_public.auto_assignment_rules r
  where r.phone_number_id in (select c.phone_number_id from app_public.conversations c where c.id = any(p_conversation_ids))
  order by r.phone_number_id
  for update;
  perform set_config('app.auto_assign', 'on', true);
  for conv in
    select c.id, c.phone_number_id from app_public.conversations c
    where c.id = any(p_conversation_ids) order by c.created_at, c.id
  loop
    select r.team_id, r.last_user_id into rule
    from app_public.auto_assignment_rules r where r.phone_number_id = conv.phone_number_id;
    continue when not found;
    perform 1 from app_public.conversations c
    where c.id = conv.id and c.status = 'open' and c.assigned_user_id is null and c.assigned_team_id is null
    for update;
    continue when not found;
    chosen := null;
    select m.user_id into chosen
    from app_public.memberships m
    join app_public.available_members a on a.tenant_id = m.tenant_id and a.user_id = m.user_id
    where m.role in ('owner', 'admin', 'agent')
      and (rule.team_id is null or exists (
        select 1 from app_public.team_members t
        where t.tenant_id = m.tenant_id and t.team_id = rule.team_id and t.user_id = m.user_id))
    order by m.user_id <= coalesce(rule.last_user_id, '00000000-0000-0000-0000-000000000000'::uuid), m.user_id
    limit 1;
    continue when chosen is null;
    update app_public.conversations c set assigned_user_id = chosen, assigned_team_id = rule.team_id
    where c.id = conv.id;
    update app_public.auto_assignment_rules r set last_user_id = chosen where r.phone_number_id = conv.phone_number_id;
    conversation_id := conv.id;
    user_id := chosen;
    return next;
  end loop;
  perform set_config('app.auto_assign', '', true);
end
$$;

select app_private.grant_functions_to_app('app_public.auto_assign_conversations(uuid[])');
