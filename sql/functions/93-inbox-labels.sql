-- A label row carries its conversation's last_message_at (the label filter's order, migration 000024).
-- SECURITY DEFINER: the row must follow whatever scope changed the conversation, and parley_app may
-- not update label rows itself.

-- A new label row takes the conversation's current position. FOR SHARE waits for a concurrent change
-- of the conversation to commit and reads its result; a change that starts later waits for this
-- insert and then updates the new row (its statement sees it): the two never miss each other.
create or replace function app_private.tg_conversation_labels__position()
  returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  select c.last_message_at into new.last_message_at
  from app_public.conversations c
  where c.tenant_id = new.tenant_id and c.id = new.conversation_id
  for share;
  return new;
end
$$;
revoke all on function app_private.tg_conversation_labels__position() from public;

-- Conversations that moved in the inbox move their label rows too (usually none, one or two each).
-- Statement level (transition tables): a webhook batch moving hundreds of conversations runs one
-- update, not a trigger call and an update per conversation.
create or replace function app_private.tg_conversations__label_positions()
  returns trigger
  language plpgsql volatile security definer
  set search_path = pg_catalog
as $$
begin
  update app_public.conversation_labels x
  set last_message_at = n.last_message_at
  from new_rows n join old_rows o on o.tenant_id = n.tenant_id and o.id = n.id
  where o.last_message_at is distinct from n.last_message_at
    and x.tenant_id = n.tenant_id and x.conversation_id = n.id
    and x.last_message_at is distinct from n.last_message_at;
  return null;
end
$$;
revoke all on function app_private.tg_conversations__label_positions() from public;
