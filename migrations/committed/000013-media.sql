--! Previous: sha1:47aeb4d9ebfaab05e10b446cc6686895609f32e5
--! Hash: sha1:ef1edb624d82e048e49522249747b5a0ae021193
--! Message: media stored in PostgreSQL

-- Media both ways (issue 19): the bytes of every inbound and outbound image, video, audio, document and
-- sticker, kept in PostgreSQL as 256 KB bytea chunks (sql/README.md, "Media storage", says why).

-- What each plan may store, and how long a workspace keeps media (null: keep).
alter table app_private.plans add column media_storage_bytes bigint not null default 1073741824
  check (media_storage_bytes >= 0);
update app_private.plans set media_storage_bytes = case id
  when 'free' then 1073741824 when 'starter' then 10737418240 when 'pro' then 107374182400
  else media_storage_bytes end;
alter table app_private.tenants add column media_retention_days integer
  check (media_retention_days between 1 and 3650);

-- One row per media file: the message it belongs to (null while an upload waits to be sent), what it
-- is, and where its bytes stand. Inbound media starts pending (a media.fetch job is queued with it)
-- and ends stored or unavailable with a reason; uploads are stored at once.
create table app_public.media (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  id uuid not null default app_public.uuid_generate_v7(),
  message_id uuid,
  direction text not null check (direction in ('inbound', 'outbound')),
  kind text not null check (kind in ('image', 'video', 'audio', 'document', 'sticker')),
  mime_type text not null check (length(mime_type) <= 255),
  filename text check (length(filename) <= 255),
  byte_size bigint check (byte_size >= 0),
  sha256 bytea check (length(sha256) = 32),
  chunk_size integer not null default 262144 check (chunk_size > 0),
  status text not null check (status in ('pending', 'stored', 'unavailable')),
  unavailable_reason text,
  -- Meta's id: the inbound media id, or the id Graph gave an upload (valid for 30 days).
  meta_media_id text,
  meta_uploaded_at timestamptz,
  voice boolean not null default false,
  -- A small WebP preview of images (and stickers), made once when the bytes are stored.
  thumbnail bytea,
  attempts integer not null default 0,
  stored_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, id),
  unique (tenant_id, message_id),
  foreign key (tenant_id, message_id) references app_public.messages (tenant_id, id) on delete cascade,
  check ((status = 'stored') = (stored_at is not null)),
  check (status <> 'stored' or (byte_size is not null and sha256 is not null)),
  check (status = 'unavailable' or unavailable_reason is null)
);
create index media_created_idx on app_public.media (tenant_id, created_at) where status = 'stored';

-- The bytes: chunk `seq` holds bytes [seq × chunk_size, (seq + 1) × chunk_size). EXTERNAL storage:
-- media is already compressed, so PostgreSQL does not try again, and a Range read fetches only its chunks.
create table app_public.media_chunks (
  tenant_id uuid not null,
  media_id uuid not null,
  seq integer not null check (seq >= 0),
  data bytea not null,
  primary key (tenant_id, media_id, seq),
  foreign key (tenant_id, media_id) references app_public.media (tenant_id, id) on delete cascade
);
alter table app_public.media_chunks alter column data set storage external;

-- Bytes each workspace stores (stored media only), kept by a trigger on media; capped by the plan.
create table app_public.media_usage (
  tenant_id uuid not null references app_private.tenants (id) on delete cascade,
  stored_bytes bigint not null default 0 check (stored_bytes >= 0),
  primary key (tenant_id)
);
