--! Previous: sha1:ef1edb624d82e048e49522249747b5a0ae021193
--! Hash: sha1:705c81afbddecee69881c676726af3601b107ed9
--! Message: template messages as the customer saw them

-- What the customer saw of a template message (header, body, footer, buttons, with the parameters
-- filled in), kept with the message: the template may later change or be deleted at Meta.
alter table app_public.messages add column rendered jsonb;
