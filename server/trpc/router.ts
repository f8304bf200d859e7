import { systemRouter } from '../domains/system/router.ts';
import { createCallerFactory, router } from './init.ts';

export const appRouter = router({
  system: systemRouter,
});

export type AppRouter = typeof appRouter;

export const createCaller = createCallerFactory(appRouter);
