import { sql } from 'slonik';
import { z } from 'zod';
import { queueStats, queueStatsSchema } from '../../jobs/stats.ts';
import { mutableRows } from '../../db/rows.ts';
import { platformProcedure, router } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import { unroutedExplanations, unroutedReasons } from './unrouted-reasons.ts';

const planSchema = z.object({
  id: z.string(),
  name: z.string(),
  messagesPerMinute: z.number(),
  monthlyConversations: z.number(),
  seats: z.number(),
  channels: z.number(),
});

const tenantSummarySchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(['active', 'suspended']),
  suspendedReason: z.string().nullable(),
  planId: z.string(),
  members: z.number(),
  createdAt: z.string(),
});

const ok = z.object({ ok: z.literal(true) });
const tenantIdInput = z.object({ tenantId: z.uuid() });

/** The platform operator's console: every workspace, suspension and plans. */
export const platformRouter = router({
  plans: platformProcedure.output(z.array(planSchema)).query(({ ctx }) =>
    ctx.withPlatform((tx) =>
      mutableRows(
        tx.any(sql.type(planSchema)`
        select id, name, messages_per_minute as "messagesPerMinute", monthly_conversations as "monthlyConversations",
               seats, channels
        from app_public.platform_plans()
      `),
      ),
    ),
  ),

  tenants: platformProcedure.output(z.array(tenantSummarySchema)).query(({ ctx }) =>
    ctx.withPlatform((tx) =>
      mutableRows(
        tx.any(sql.type(tenantSummarySchema)`
        select id, name, slug, status, suspended_reason as "suspendedReason", plan_id as "planId", members,
               created_at as "createdAt"
        from app_public.platform_tenants()
      `),
      ),
    ),
  ),

  /** Suspends a workspace: its members can still read and its webhooks are still stored, but sends are refused. */
  suspendTenant: platformProcedure
    .input(
      tenantIdInput.extend({
        reason: text({ min: 1, max: 500, tooShort: 'Say why, for the workspace and the audit trail.' }),
      }),
    )
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) =>
        tx.query(
          sql.unsafe`select app_public.platform_set_tenant_status(${input.tenantId}, true, ${input.reason})`,
        ),
      );
      return { ok: true as const };
    }),

  resumeTenant: platformProcedure
    .input(tenantIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) =>
        tx.query(sql.unsafe`select app_public.platform_set_tenant_status(${input.tenantId}, false, null)`),
      );
      return { ok: true as const };
    }),

  /** Job queues at a glance: backlog, running, failed and dead-lettered jobs per queue. */
  queueStats: platformProcedure.output(queueStatsSchema).query(({ ctx }) => queueStats(ctx.services.boss)),

  /** Webhook changes for phone numbers or accounts no workspace has connected. */
  unroutedWebhooks: platformProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100) }))
    .output(
      z.array(
        z.object({
          id: z.string(),
          deliveryId: z.string(),
          field: z.string(),
          phoneNumberId: z.string().nullable(),
          wabaId: z.string().nullable(),
          reason: z.enum(unroutedReasons),
          /** Why it reached no workspace and what to check, in a sentence. */
          explanation: z.string(),
          payload: z.unknown(),
          createdAt: z.string(),
        }),
      ),
    )
    .query(async ({ ctx, input }) => {
      const rows = await ctx.withPlatform((tx) =>
        tx.any(
          sql.type(
            z.object({
              id: z.string(),
              delivery_id: z.string(),
              field: z.string(),
              phone_number_id: z.string().nullable(),
              waba_id: z.string().nullable(),
              reason: z.enum(unroutedReasons),
              payload: z.unknown(),
              created_at: z.string(),
            }),
          )`select * from app_public.platform_unrouted_webhooks(${input.limit})`,
        ),
      );
      return rows.map((row) => ({
        id: row.id,
        deliveryId: row.delivery_id,
        field: row.field,
        phoneNumberId: row.phone_number_id,
        wabaId: row.waba_id,
        reason: row.reason,
        explanation: unroutedExplanations[row.reason],
        payload: row.payload,
        createdAt: row.created_at,
      }));
    }),

  setTenantPlan: platformProcedure
    .input(tenantIdInput.extend({ planId: text({ min: 1, max: 31 }) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) =>
        tx.query(sql.unsafe`select app_public.platform_set_tenant_plan(${input.tenantId}, ${input.planId})`),
      );
      return { ok: true as const };
    }),
});
