-- Collaboration (issue 20, item 2): internal notes with @mentions, notifications, round-robin
-- auto-assignment. Triggers in sql/triggers/collaboration.sql. (The previous versions of this file's
-- round robin are dropped below.)

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

-- A note edited (by its author or an admin): members newly mentioned are notified as on insert, and
-- the edit is announced (note.updated) so open threads show the new text.
create or replace function app_private.tg_conversation_notes__after_update() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  recipients uuid[];
  notes uuid[];
  conversations uuid[];
begin
  with notified as (
    insert into app_public.notifications (tenant_id, user_id, kind, conversation_id, actor_user_id, note_id)
    select distinct n.tenant_id, m.user_id, 'mention', n.conversation_id,
           coalesce(app_public.current_user_id(), n.author_user_id), n.id
    from new_rows n
    join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
    cross join lateral unnest(n.mentioned_user_ids) as mentioned (user_id)
    join app_public.memberships m on m.tenant_id = n.tenant_id and m.user_id = mentioned.user_id
    where m.user_id is distinct from n.author_user_id
      and m.user_id is distinct from app_public.current_user_id()
      and not (mentioned.user_id = any (o.mentioned_user_ids))
    returning user_id
  )
  select array_agg(distinct user_id) into recipients from notified;

  select array_agg(n.id), array_agg(distinct n.conversation_id) into notes, conversations from new_rows n;
  if notes is not null then
    perform app_public.record_realtime_event('note.updated', notes, conversations);
  end if;
  if recipients is not null then
    perform app_public.record_realtime_event('notification.created', recipients, '{}');
  end if;
  return null;
end
$$;

-- A note deleted: its activity entry and mention notifications go with it (foreign keys on delete
-- cascade); open threads drop it (note.deleted) and the mentioned members' bells reload.
create or replace function app_private.tg_conversation_notes__after_delete() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  recipients uuid[];
  notes uuid[];
  conversations uuid[];
begin
  select array_agg(o.id), array_agg(distinct o.conversation_id) into notes, conversations from old_rows o;
  if notes is null then
    return null;
  end if;
  perform app_public.record_realtime_event('note.deleted', notes, conversations);
  select array_agg(distinct mentioned.user_id) into recipients
  from old_rows o cross join lateral unnest(o.mentioned_user_ids) as mentioned (user_id)
  where mentioned.user_id is distinct from o.author_user_id;
  if recipients is not null then
    perform app_public.record_realtime_event('notification.deleted', recipients, '{}');
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

-- Round robin, in two steps so that a webhook batch neither waits on nor holds a rule's lock for long:
-- (1) this row trigger marks a conversation that opens (new, or reopened by a customer, an agent or the
-- snooze alarm) without an assignee, on a phone number with a rule, as auto_assign_due; any other
-- assignment, or leaving 'open', settles it. (2) The writer calls app_public.auto_assign_due_conversations()
-- just before it commits (webhook processing, setStatus, the alarm; the alarm's minutely run also
-- sweeps whatever another path left due, e.g. while nobody was available).
create or replace function app_private.tg_conversations__mark_auto_assign() returns trigger
  language plpgsql volatile
  set search_path = pg_catalog
as $$
begin
  if new.status <> 'open' or new.assigned_user_id is not null or new.assigned_team_id is not null then
    new.auto_assign_due := false;
  elsif tg_op = 'INSERT' or old.status <> 'open' then
    -- Only a conversation that opens looks up the rules: the test of every other update (a webhook
    -- batch moves hundreds of open conversations) stays a simple expression, without a query.
    if exists (
      select 1 from app_public.auto_assignment_rules r
      where r.tenant_id = new.tenant_id and r.phone_number_id = new.phone_number_id
    ) then
      new.auto_assign_due := true;
    end if;
  end if;
  return new;
end
$$;

-- Round robin for the tenant in scope: each due conversation (or each of p_conversation_ids, when
-- given) that is still open and nobody's goes to the next available and connected member (owner,
-- admin or agent; of the rule's team when it names one) after the rule's cursor, by user id, wrapping around — so
-- members take turns whatever order they became available in. Concurrency: the rule rows are locked
-- first, all at once and in one order, so concurrent writers take turns on a phone number's cursor
-- (never giving two conversations the same turn) and cannot deadlock on each other; a conversation
-- another transaction holds is skipped (that writer assigns it before it commits, or the sweep does),
-- so no one waits on a conversation while holding a rule. A conversation nobody is available for
-- stays due. Acts as the system (no actor): the activity trigger records 'auto_assigned' and the
-- assignee is notified. Returns what was assigned.
create or replace function app_public.auto_assign_due_conversations(p_conversation_ids uuid[] default null)
  returns table (conversation_id uuid, user_id uuid)
  language plpgsql volatile
  set search_path = pg_catalog
as $$
declare
  conv record;
  rule record;
  chosen uuid;
  actor text := current_setting('app.user_id', true);
begin
  if not exists (
    select 1 from app_public.conversations c
    where c.auto_assign_due and (p_conversation_ids is null or c.id = any(p_conversation_ids))
  ) then
    return;
  end if;
  perform 1 from app_public.auto_assignment_rules r
  where r.phone_number_id in (
    select c.phone_number_id from app_public.conversations c
    where c.auto_assign_due and (p_conversation_ids is null or c.id = any(p_conversation_ids)))
  order by r.phone_number_id
  for update;
  perform set_config('app.auto_assign', 'on', true);
  perform set_config('app.user_id', '', true);
  for conv in
    select c.id, c.phone_number_id from app_public.conversations c
    where c.auto_assign_due and (p_conversation_ids is null or c.id = any(p_conversation_ids))
    order by c.created_at, c.id
    for update of c skip locked
  loop
    select r.team_id, r.last_user_id into rule
    from app_public.auto_assignment_rules r where r.phone_number_id = conv.phone_number_id;
    if not found then
      update app_public.conversations c set auto_assign_due = false where c.id = conv.id;
      continue;
    end if;
    chosen := null;
    select m.user_id into chosen
    from app_public.memberships m
    join app_public.available_members a on a.tenant_id = m.tenant_id and a.user_id = m.user_id
    where m.role in ('owner', 'admin', 'agent')
      -- Connected: a tab of theirs reports (online, or away in a background tab where notifications
      -- still reach them). Available but gone (browser closed, laptop asleep) takes no turns.
      and exists (
        select 1 from app_public.presence p
        where p.tenant_id = m.tenant_id and p.user_id = m.user_id and p.expires_at > now())
      and (rule.team_id is null or exists (
        select 1 from app_public.team_members t
        where t.tenant_id = m.tenant_id and t.team_id = rule.team_id and t.user_id = m.user_id))
    order by m.user_id <= coalesce(rule.last_user_id, '00000000-0000-0000-0000-000000000000'::uuid), m.user_id
    limit 1;
    continue when chosen is null;
    update app_public.conversations c
    set assigned_user_id = chosen, assigned_team_id = rule.team_id, auto_assign_due = false
    where c.id = conv.id;
    update app_public.auto_assignment_rules r set last_user_id = chosen where r.phone_number_id = conv.phone_number_id;
    conversation_id := conv.id;
    user_id := chosen;
    return next;
  end loop;
  perform set_config('app.auto_assign', '', true);
  perform set_config('app.user_id', coalesce(actor, ''), true);
end
$$;

select app_private.grant_functions_to_app('app_public.auto_assign_due_conversations(uuid[])');

drop function if exists app_public.auto_assign_conversations(uuid[]);
drop function if exists app_private.tg_conversations__queue_auto_assign() cascade;
