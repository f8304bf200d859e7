import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { queueStats, queueStatsSchema } from '../../jobs/stats.ts';
import { platformProcedure, router } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import {
  planSchema,
  plans,
  setTenantPlan,
  setTenantStatus,
  tenantSummaries,
  tenantSummarySchema,
} from './queries.ts';
import { listUnroutedWebhooks, unroutedWebhookViewSchema } from './service.ts';

const ok = z.object({ ok: z.literal(true) });
const tenantIdInput = z.object({ tenantId: z.uuid() });

/** The platform operator's console: every workspace, suspension and plans. */
export const platformRouter = router({
  plans: platformProcedure
    .output(z.array(planSchema))
    .query(({ ctx }) => ctx.withPlatform((tx) => mutableRows(tx.any(plans())))),

  tenants: platformProcedure
    .output(z.array(tenantSummarySchema))
    .query(({ ctx }) => ctx.withPlatform((tx) => mutableRows(tx.any(tenantSummaries())))),

  /** Suspends a workspace: its members can still read and its webhooks are still stored, but sends are refused. */
  suspendTenant: platformProcedure
    .input(
      tenantIdInput.extend({
        reason: text({ min: 1, max: 500, tooShort: 'Say why, for the workspace and the audit trail.' }),
      }),
    )
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) => tx.query(setTenantStatus(input.tenantId, true, input.reason)));
      return { ok: true as const };
    }),

  resumeTenant: platformProcedure
    .input(tenantIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) => tx.query(setTenantStatus(input.tenantId, false, null)));
      return { ok: true as const };
    }),

  /** Job queues at a glance: backlog, running, failed and dead-lettered jobs per queue. */
  queueStats: platformProcedure.output(queueStatsSchema).query(({ ctx }) => queueStats(ctx.services.boss)),

  /** Webhook changes for phone numbers or accounts no workspace has connected. */
  unroutedWebhooks: platformProcedure
    .input(z.object({ limit: z.number().int().min(1).max(500).default(100) }))
    .output(z.array(unroutedWebhookViewSchema))
    .query(({ ctx, input }) => ctx.withPlatform((tx) => listUnroutedWebhooks(tx, input.limit))),

  setTenantPlan: platformProcedure
    .input(tenantIdInput.extend({ planId: text({ min: 1, max: 31 }) }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) => tx.query(setTenantPlan(input.tenantId, input.planId)));
      return { ok: true as const };
    }),
});
