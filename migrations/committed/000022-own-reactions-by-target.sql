--! Previous: sha1:ccfca183d7d7934422af9130ece23493a606fdad
--! Hash: sha1:d03735aea64aea1bdda424807e5abcdabefe499b
--! Message: the business's reactions found by the message they react to

-- An agent's reaction is an outbound message of type 'reaction' (it is sent like any other); the
-- thread shows it on the message it reacts to, as the customer's reactions are, so message.list finds
-- the latest one per reacted-to wamid through this index instead of listing it as a message.
create index messages_own_reaction_idx on app_public.messages
  (tenant_id, (content->'reaction'->>'message_id'), occurred_at desc, id desc)
  where direction = 'outbound' and type = 'reaction';
