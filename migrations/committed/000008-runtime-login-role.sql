--! Previous: sha1:e22c58a3d9c9bf1350e6f10e853a3fd598644297
--! Hash: sha1:edd3a5e392aadd19c6067dc25266f5a9ed3ef9d3
--! Message: runtime login role credentials

-- The runtime's own LOGIN role. migrate.ts creates it (a name unique to this database, since roles are
-- cluster-wide) with a generated password and records both here; each process reads them with the
-- owner's connection at start. Only the owner can read this table: parley_app has no access to
-- app_private, and the login role itself can only become parley_app.
create table app_private.runtime_login (
  singleton boolean primary key default true check (singleton),
  role_name text not null check (role_name ~ '^parley_app_login_[0-9a-f]{12}$'),
  password text not null check (length(password) >= 32),
  created_at timestamptz not null default now()
);
