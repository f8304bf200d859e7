--! Previous: sha1:8ca5238009e5a7de780a2a740d1ae0c66899cc08
--! Hash: sha1:ee13b66e879ab9447cdb1f1c9156714d1fbece0f
--! Message: the business's reactions found by the message they react to

-- An agent's reaction is an outbound message of type 'reaction' (it is sent like any other); the
-- thread shows it on the message it reacts to, as the customer's reactions are, so message.list finds
-- the latest one per reacted-to wamid through this index instead of listing it as a message.
create index messages_own_reaction_idx on app_public.messages
  (tenant_id, (content->'reaction'->>'message_id'), occurred_at desc, id desc)
  where direction = 'outbound' and type = 'reaction';
