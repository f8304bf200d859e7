-- The outbound delivery log: written by the event triggers and the webhook.deliver job.
select app_private.apply_tenant_policies('app_public.webhook_endpoint_deliveries');
revoke all on app_public.webhook_endpoint_deliveries from parley_app;
grant select, insert on app_public.webhook_endpoint_deliveries to parley_app;
grant update (status, attempts, response_status, response_body, error, duration_ms, last_attempt_at,
              updated_at)
  on app_public.webhook_endpoint_deliveries to parley_app;
