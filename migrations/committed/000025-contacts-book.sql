--! Previous: sha1:2fe95a6dd1a6bb908924ba5629c7cc0fa171a5f7
--! Hash: sha1:a7cd4d514078d1490c6034400271128c3a8814e5
--! Message: contacts model: tags, typed attributes, country, opt-in/out, email, notes, imports, erasure log

-- Issue 21 (contacts). The customer book: what the team knows about each contact beyond WhatsApp's
-- profile. Campaign segments filter on these columns (server/domains/contacts/queries.ts
-- contactFilterCondition), so their names are a contract with the campaigns domain.
alter table app_public.contacts
  add column tags text[] not null default '{}'
    check (cardinality(tags) <= 100 and array_position(tags, null) is null),
  -- Values keyed by app_public.contact_attributes.key, validated against its type by the server.
  add column attributes jsonb not null default '{}' check (jsonb_typeof(attributes) = 'object'),
  -- ISO 3166-1 alpha-2, derived from the phone number (libphonenumber-js); null when unknown.
  add column country text check (country ~ '^[A-Z]{2}$'),
  add column opted_in_at timestamptz,
  add column opt_in_source text check (length(opt_in_source) between 1 and 200),
  add column opted_out_at timestamptz,
  -- 'keyword: STOP' (the customer wrote it), 'agent', 'import', 'api', ...
  add column opt_out_source text check (length(opt_out_source) between 1 and 200),
  add column email text check (length(email) <= 320 and email ~ '^[^@\s]+@[^@\s]+$'),
  add column notes text check (length(notes) <= 10000),
  add constraint contacts_opt_in_source_with_time check ((opted_in_at is null) = (opt_in_source is null)),
  add constraint contacts_opt_out_source_with_time check ((opted_out_at is null) = (opt_out_source is null));

create index contacts_tags_idx on app_public.contacts using gin (tags);
create index contacts_attributes_idx on app_public.contacts using gin (attributes jsonb_path_ops);
create index contacts_email_trgm_idx on app_public.contacts using gin (email app_extensions.gin_trgm_ops);
-- The contacts table pages by (created_at desc, id desc) within a tenant.
create index contacts_list_idx on app_public.contacts (tenant_id, created_at desc, id desc);

-- Custom attributes a workspace defines for its contacts; values live in contacts.attributes.
create table app_public.contact_attributes (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  key text not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  label text not null check (length(trim(label)) between 1 and 80),
  type text not null check (type in ('text', 'number', 'date', 'boolean', 'list')),
  -- The choices of a list attribute (and only of one).
  options text[] check (cardinality(options) between 1 and 200 and array_position(options, null) is null),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, key),
  constraint contact_attributes_options_for_lists check ((type = 'list') = (options is not null))
);

-- Per workspace: the country assumed for numbers written without one (CSV imports, manual entry),
-- and the inbound texts that opt a contact out (compared trimmed and case-insensitively).
alter table app_private.tenants
  add column default_country text check (default_country ~ '^[A-Z]{2}$'),
  add column opt_out_keywords text[] not null
    default '{STOP,UNSUBSCRIBE,STOPALL,CANCEL,END,QUIT,BAJA,PARAR,CANCELAR,DETENER,SAIR,PARE,DESCADASTRAR}'
    check (cardinality(opt_out_keywords) <= 50 and array_position(opt_out_keywords, null) is null);

-- CSV imports (a pg-boss job each): the uploaded file in chunks until the import ends, then progress,
-- counts and the rows that failed. All-or-nothing: contacts change only in the job's final transaction.
create table app_public.contact_imports (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  created_by uuid,
  filename text not null check (length(filename) between 1 and 255),
  byte_size bigint not null default 0 check (byte_size >= 0),
  status text not null default 'uploading'
    check (status in ('uploading', 'uploaded', 'queued', 'running', 'completed', 'failed')),
  -- { columns: { <csv header>: 'phone' | 'name' | 'email' | 'tags' | 'notes' | 'attr:<key>' | ... } }
  mapping jsonb,
  -- 'update' or 'skip' contacts that already exist; tags to add to every imported contact, ...
  options jsonb,
  total_rows integer not null default 0,
  processed_rows integer not null default 0,
  inserted_rows integer not null default 0,
  updated_rows integer not null default 0,
  skipped_rows integer not null default 0,
  failed_rows integer not null default 0,
  -- Why the import as a whole failed (nothing was imported).
  error text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  finished_at timestamptz,
  primary key (tenant_id, id)
);

create table app_public.contact_import_chunks (
  tenant_id uuid not null,
  import_id uuid not null,
  seq integer not null check (seq >= 0),
  data bytea not null,
  primary key (tenant_id, import_id, seq),
  foreign key (tenant_id, import_id) references app_public.contact_imports (tenant_id, id) on delete cascade
);

create table app_public.contact_import_errors (
  tenant_id uuid not null,
  import_id uuid not null,
  -- 1-based line of the data row (the header is row 0).
  row_number integer not null,
  message text not null,
  -- The row as it was in the file, so the errors CSV can be fixed and imported again.
  raw jsonb not null,
  primary key (tenant_id, import_id, row_number),
  foreign key (tenant_id, import_id) references app_public.contact_imports (tenant_id, id) on delete cascade
);

-- Erasures on request (privacy): who erased which contact when, and what went with it. The contact's
-- number is kept only as its sha256 so a later request about it can be answered.
create table app_public.contact_erasures (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  contact_id uuid not null,
  wa_id_sha256 bytea,
  erased_by uuid,
  erased_at timestamptz not null default now(),
  conversations integer not null default 0,
  messages integer not null default 0,
  media integer not null default 0,
  primary key (tenant_id, id)
);
