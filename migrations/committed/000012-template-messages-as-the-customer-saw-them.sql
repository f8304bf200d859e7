--! Previous: sha1:7f715242d0eb40d8415e9f524c588f61638ac280
--! Hash: sha1:3358feefede675ca09f361a28debf2061814880a
--! Message: template messages as the customer saw them

-- What the customer saw of a template message (header, body, footer, buttons, with the parameters
-- filled in), kept with the message: the template may later change or be deleted at Meta.
alter table app_public.messages add column rendered jsonb;
