select app_private.apply_tenant_policies('app_public.media');
revoke all on app_public.media from parley_app;
grant select, insert, delete on app_public.media to parley_app;
grant update (message_id, mime_type, filename, byte_size, sha256, status, unavailable_reason, meta_media_id,
  meta_uploaded_at, thumbnail, attempts, stored_at, fetch_queued_at, duration_ms) on app_public.media to parley_app;
