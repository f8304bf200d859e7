--! Previous: sha1:1eb75a460eb8be690b8a98ec1fc69c86830db5c8
--! Hash: sha1:406629cfab2035dcee467cf1360d5f4e4ad5172c
--! Message: template messages as the customer saw them

-- What the customer saw of a template message (header, body, footer, buttons, with the parameters
-- filled in), kept with the message: the template may later change or be deleted at Meta.
alter table app_public.messages add column rendered jsonb;
