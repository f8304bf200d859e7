--! Previous: sha1:a7164f76549d89df7e043dee4db6806915f38329
--! Hash: sha1:25cde508867ef3f0eee58d230971cf65b92643ba
--! Message: instance secret for sign-in challenges

-- A secret of this installation. Sign-in challenges for emails without an account carry a salt
-- derived from it, so they look like real ones and stay the same on every attempt: answers reveal
-- nothing about who has an account.
create table app_private.instance_secrets (
  singleton boolean primary key default true check (singleton),
  login_pepper bytea not null default (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()))
);
insert into app_private.instance_secrets default values;
