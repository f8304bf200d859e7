import { sql } from 'slonik';
import { z } from 'zod';
import { unroutedReasons } from './unrouted-reasons.ts';

export const planSchema = z.object({
  id: z.string(),
  name: z.string(),
  messagesPerMinute: z.number(),
  monthlyConversations: z.number(),
  seats: z.number(),
  channels: z.number(),
});

export const plans = () => sql.type(planSchema)`
  select id, name, messages_per_minute as "messagesPerMinute", monthly_conversations as "monthlyConversations",
         seats, channels
  from app_public.platform_plans()
`;

export const tenantSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(['active', 'suspended']),
  suspendedReason: z.string().nullable(),
  planId: z.string(),
  members: z.number(),
  createdAt: z.string(),
});

export const tenantSummaries = () => sql.type(tenantSummarySchema)`
  select id, name, slug, status, suspended_reason as "suspendedReason", plan_id as "planId", members,
         created_at as "createdAt"
  from app_public.platform_tenants()
`;

/** Suspends (with a reason) or resumes a workspace. */
export const setTenantStatus = (tenantId: string, suspended: boolean, reason: string | null) =>
  sql.unsafe`select app_public.platform_set_tenant_status(${tenantId}, ${suspended}, ${reason})`;

export const setTenantPlan = (tenantId: string, planId: string) =>
  sql.unsafe`select app_public.platform_set_tenant_plan(${tenantId}, ${planId})`;

export const unroutedWebhookSchema = z.object({
  id: z.string(),
  deliveryId: z.string(),
  field: z.string(),
  phoneNumberId: z.string().nullable(),
  wabaId: z.string().nullable(),
  reason: z.enum(unroutedReasons),
  payload: z.unknown(),
  createdAt: z.string(),
});

/** The latest webhook changes no workspace owns, newest first. */
export const unroutedWebhooks = (limit: number) => sql.type(unroutedWebhookSchema)`
  select id, delivery_id as "deliveryId", field, phone_number_id as "phoneNumberId", waba_id as "wabaId",
         reason, payload, created_at as "createdAt"
  from app_public.platform_unrouted_webhooks(${limit})
`;
