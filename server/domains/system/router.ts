import { publicProcedure, router } from '../../trpc/init.ts';
import { checkReadiness, readinessSchema, systemInfo, systemInfoSchema } from './service.ts';

export const systemRouter = router({
  info: publicProcedure.output(systemInfoSchema).query(() => systemInfo()),
  health: publicProcedure.output(readinessSchema).query(({ ctx }) => checkReadiness(ctx.services)),
});
