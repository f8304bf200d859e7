--! Previous: sha1:fff8fabf44b8b8683be6ad987cd454259db75ff2
--! Hash: sha1:e22c58a3d9c9bf1350e6f10e853a3fd598644297
--! Message: instance secret and sign-in throttle buckets

-- A secret of this installation. Sign-in challenges for emails without an account carry a salt
-- derived from it, so they look like real ones and stay the same on every attempt: answers reveal
-- nothing about who has an account.
create table app_private.instance_secrets (
  singleton boolean primary key default true check (singleton),
  login_pepper bytea not null default (uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()))
);
insert into app_private.instance_secrets default values;

-- Sign-in throttling buckets, kept apart from app_private.rate_limit_buckets: parley_app may call
-- take_tokens on any key of that table with a rate of its choosing, and so could refill them.
create table app_private.login_throttle_buckets (
  key text primary key,
  tokens double precision not null,
  updated_at timestamptz not null default clock_timestamp()
);
