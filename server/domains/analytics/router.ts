import { router, tenantProcedure } from '../../trpc/init.ts';
import { analyticsOverviewSchema, analyticsRangeSchema } from './schemas.ts';
import { analyticsOverview } from './service.ts';

/** The dashboard's figures, from rollups (never a scan of messages). Team performance is for admins. */
export const analyticsRouter = router({
  overview: tenantProcedure('admin')
    .input(analyticsRangeSchema)
    .output(analyticsOverviewSchema)
    .query(({ ctx, input }) => ctx.withTenant((tx) => analyticsOverview(tx, input))),
});
