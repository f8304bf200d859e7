import { sql } from 'slonik';
import { z } from 'zod';
import { deliverySchema, endpointSchema } from './schemas.ts';

const endpointColumns = sql.fragment`
  e.id, e.url, e.description, e.events, e.enabled, e.disabled_reason as "disabledReason",
  app_public.iso_time(e.disabled_at) as "disabledAt", app_public.iso_time(e.failing_since) as "failingSince",
  app_public.iso_time(e.last_success_at) as "lastSuccessAt", app_public.iso_time(e.last_failure_at) as "lastFailureAt",
  app_public.iso_time(e.created_at) as "createdAt"`;

const deliveryColumns = sql.fragment`
  d.id, d.endpoint_id as "endpointId", d.event_id as "eventId", d.event_type as "eventType", d.payload,
  d.status, d.attempts, d.response_status as "responseStatus", d.response_body as "responseBody", d.error,
  d.duration_ms as "durationMs", d.replay_of as "replayOf", app_public.iso_time(d.last_attempt_at) as "lastAttemptAt",
  app_public.iso_time(d.created_at) as "createdAt"`;

export const listEndpoints = () => sql.type(endpointSchema)`
  select ${endpointColumns} from app_public.webhook_endpoints e order by e.created_at desc, e.id desc`;

export const endpointById = (id: string) => sql.type(endpointSchema)`
  select ${endpointColumns} from app_public.webhook_endpoints e where e.id = ${id}`;

export const insertEndpoint = (input: { url: string; description: string | null; events: string[] }) =>
  sql.type(z.object({ id: z.string() }))`
    insert into app_public.webhook_endpoints (tenant_id, url, description, events)
    values (app_public.current_tenant_id(), ${input.url}, ${input.description}, ${sql.array(input.events, 'text')})
    returning id`;

export const updateEndpoint = (input: {
  id: string;
  url?: string | undefined;
  description?: string | null | undefined;
  events?: string[] | undefined;
  enabled?: boolean | undefined;
}) => sql.type(z.object({ id: z.string() }))`
  update app_public.webhook_endpoints set
    url = coalesce(${input.url ?? null}, url),
    description = case when ${input.description !== undefined} then ${input.description ?? null} else description end,
    events = coalesce(${input.events ? sql.array(input.events, 'text') : null}, events),
    enabled = coalesce(${input.enabled ?? null}, enabled),
    disabled_reason = case when ${input.enabled ?? null}::boolean is null then disabled_reason
                           when ${input.enabled ?? null} then null else 'Disabled by a member.' end,
    disabled_at = case when ${input.enabled ?? null}::boolean is null then disabled_at
                       when ${input.enabled ?? null} then null else now() end,
    failing_since = case when ${input.enabled ?? null} then null else failing_since end,
    updated_at = now()
  where id = ${input.id}
  returning id`;

export const deleteEndpoint = (id: string) => sql.type(z.object({ id: z.string() }))`
  delete from app_public.webhook_endpoints where id = ${id} returning id`;

export const storeSecret = (endpointId: string, secret: Buffer, keyId: string) => sql.unsafe`
  select app_public.set_webhook_endpoint_secret(${endpointId}, ${sql.binary(secret)}, ${keyId})`;

export const endpointSecret = (endpointId: string) =>
  sql.type(z.object({ secret: z.instanceof(Buffer), secretKeyId: z.string() }))`
    select secret, secret_key_id as "secretKeyId" from app_public.webhook_endpoint_secret(${endpointId})`;

export const listDeliveries = (input: {
  endpointId: string;
  status?: string | undefined;
  cursor?: string | undefined;
  limit: number;
}) =>
  sql.type(deliverySchema)`
    select ${deliveryColumns} from app_public.webhook_endpoint_deliveries d
    where d.endpoint_id = ${input.endpointId}
      ${input.status ? sql.fragment`and d.status = ${input.status}` : sql.fragment``}
      ${input.cursor ? sql.fragment`and d.id < ${input.cursor}` : sql.fragment``}
    order by d.id desc
    limit ${input.limit}`;

export const deliveryById = (id: string) => sql.type(deliverySchema)`
  select ${deliveryColumns} from app_public.webhook_endpoint_deliveries d where d.id = ${id}`;

/** A new delivery of the same event to the same endpoint, already queued (its job is in the same outbox). */
export const insertReplay = (id: string) => sql.type(z.object({ id: z.string() }))`
  insert into app_public.webhook_endpoint_deliveries
    (tenant_id, endpoint_id, event_id, event_type, payload, replay_of)
  select d.tenant_id, d.endpoint_id, d.event_id, d.event_type, d.payload, d.id
  from app_public.webhook_endpoint_deliveries d where d.id = ${id}
  returning id`;

/** The deliveries this transaction produced, to queue before it commits (run as the owner). */
export const takeUnqueuedDeliveries = (tenantId: string) =>
  sql.type(z.object({ tenantId: z.string(), deliveryId: z.string() }))`
    select tenant_id as "tenantId", delivery_id as "deliveryId"
    from app_private.take_unqueued_webhook_deliveries(${tenantId})`;

/** Deliveries whose event came from a transaction without an outbox (run as the owner). */
export const takeStrayDeliveries = (limit: number) =>
  sql.type(z.object({ tenantId: z.string(), deliveryId: z.string() }))`
    select tenant_id as "tenantId", delivery_id as "deliveryId"
    from app_private.take_stray_webhook_deliveries(${limit})`;

/** What the delivery job needs, locked so two attempts of one delivery never overlap. */
export const deliveryToSend = (id: string) =>
  sql.type(
    z.object({
      id: z.string(),
      endpointId: z.string(),
      status: z.string(),
      attempts: z.number(),
      body: z.string(),
      url: z.string(),
      enabled: z.boolean(),
    }),
  )`
    select d.id, d.endpoint_id as "endpointId", d.status, d.attempts, d.payload::text as body, e.url, e.enabled
    from app_public.webhook_endpoint_deliveries d
    join app_public.webhook_endpoints e on e.tenant_id = d.tenant_id and e.id = d.endpoint_id
    where d.id = ${id}
    for update of d`;

export const recordAttempt = (input: {
  id: string;
  status: 'retrying' | 'succeeded' | 'failed';
  responseStatus: number | null;
  responseBody: string | null;
  error: string | null;
  durationMs: number;
  at: Date;
}) => sql.unsafe`
  update app_public.webhook_endpoint_deliveries set
    status = ${input.status}, attempts = attempts + 1, response_status = ${input.responseStatus},
    response_body = ${input.responseBody}, error = ${input.error}, duration_ms = ${input.durationMs},
    last_attempt_at = ${input.at.toISOString()}, updated_at = now()
  where id = ${input.id}`;

export const endpointSucceeded = (id: string, at: Date) => sql.unsafe`
  update app_public.webhook_endpoints set failing_since = null, last_success_at = ${at.toISOString()}, updated_at = now()
  where id = ${id}`;

export const endpointFailed = (id: string, at: Date) =>
  sql.type(z.object({ failingSinceMs: z.number() }))`
    update app_public.webhook_endpoints set failing_since = coalesce(failing_since, ${at.toISOString()}),
      last_failure_at = ${at.toISOString()}, updated_at = now()
    where id = ${id}
    returning (extract(epoch from failing_since) * 1000)::float8 as "failingSinceMs"`;

/** Turns an endpoint off after a day of failures; true when this call did it. */
export const disableFailingEndpoint = (id: string, reason: string, at: Date) =>
  sql.type(z.object({ id: z.string() }))`
    update app_public.webhook_endpoints set enabled = false, disabled_reason = ${reason},
      disabled_at = ${at.toISOString()}, updated_at = now()
    where id = ${id} and enabled
    returning id`;

/** A notice for each admin and owner of the workspace in scope. */
export const noticeAdmins = (endpointId: string) => sql.unsafe`
  insert into app_public.notifications (tenant_id, user_id, kind, webhook_endpoint_id)
  select app_public.current_tenant_id(), m.user_id, 'webhook_disabled', ${endpointId}
  from app_public.memberships m
  where m.tenant_id = app_public.current_tenant_id() and m.role in ('owner', 'admin')`;
