import { z } from 'zod';
import { authedProcedure, requireSession, router, tenantProcedure } from '../../trpc/init.ts';
import { workspaceNameSchema, workspaceSchema } from '../auth/schemas.ts';
import { createWorkspace, listWorkspaces } from '../auth/service.ts';
import { currentTenant, currentTenantSchema, setActiveTenant } from './queries.ts';

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
      await ctx.db.query(setActiveTenant(requireSession(ctx), input.tenantId));
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
    .query(({ ctx }) => ctx.withTenant((tx) => tx.one(currentTenant()))),
});
