import { sql } from 'slonik';
import { z } from 'zod';
import { authedProcedure, requireSession, router, tenantProcedure } from '../../trpc/init.ts';
import { workspaceNameSchema, workspaceSchema } from '../auth/schemas.ts';
import { createWorkspace, listWorkspaces } from '../auth/service.ts';

const currentTenantSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  status: z.enum(['active', 'suspended']),
  createdAt: z.string(),
  plan: z.object({
    id: z.string(),
    name: z.string(),
    messagesPerMinute: z.number(),
    monthlyConversations: z.number(),
    seats: z.number(),
    channels: z.number(),
    seatsUsed: z.number(),
  }),
});

export const tenantRouter = router({
  /** The workspaces the signed-in user belongs to, with their role in each. */
  list: authedProcedure
    .output(z.array(workspaceSchema))
    .query(({ ctx }) => listWorkspaces(ctx.db, requireSession(ctx))),

  /** Makes another of the user's workspaces the active one for this session. */
  switch: authedProcedure
    .input(z.object({ tenantId: z.uuid() }))
    .output(z.object({ activeTenantId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.db.query(
        sql.unsafe`select app_public.set_active_tenant(${requireSession(ctx)}, ${input.tenantId})`,
      );
      return { activeTenantId: input.tenantId };
    }),

  /** Creates another workspace owned by the user and switches to it. */
  create: authedProcedure
    .input(z.object({ name: workspaceNameSchema }))
    .output(z.object({ tenantId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const sessionId = requireSession(ctx);
      const tenantId = await ctx.withPlatform((tx) => createWorkspace(tx, sessionId, input.name));
      return { tenantId };
    }),

  /** The active workspace with its plan and seat use. */
  current: tenantProcedure('viewer')
    .output(currentTenantSchema)
    .query(({ ctx }) =>
      ctx.withTenant((tx) =>
        tx.one(sql.type(currentTenantSchema)`
          select t.id, t.name, t.slug, t.status, t.created_at as "createdAt",
                 json_build_object(
                   'id', p.plan_id, 'name', p.plan_name, 'messagesPerMinute', p.messages_per_minute,
                   'monthlyConversations', p.monthly_conversations, 'seats', p.seats, 'channels', p.channels,
                   'seatsUsed', p.seats_used
                 ) as plan
          from app_public.current_tenant() t, app_public.tenant_plan() p
        `),
      ),
    ),
});
