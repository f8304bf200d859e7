import { initTRPC, TRPCError } from '@trpc/server';
import { z, ZodError } from 'zod';
import { toTRPCError } from '../db/errors.ts';
import { withTenant, type Tx } from '../db/tx.ts';
import { hasRole, type Role } from '../domains/members/roles.ts';
import type { Context } from './context.ts';

const t = initTRPC.context<Context>().create({
  errorFormatter({ shape, error }) {
    const internal = error.code === 'INTERNAL_SERVER_ERROR';
    return {
      ...shape,
      // A 5xx never echoes its cause: the log has it, keyed by request id.
      message: internal ? 'Internal server error' : shape.message,
      data: {
        ...shape.data,
        stack: undefined,
        zodError: error.cause instanceof ZodError ? z.flattenError(error.cause) : null,
      },
    };
  },
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** Maps database errors (constraint names, RLS refusals, custom SQLSTATEs) to client errors in one place. */
const mapDatabaseErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const mapped = toTRPCError(result.error.cause);
    if (mapped && mapped !== result.error) throw mapped;
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapDatabaseErrors);

const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.user) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in first.' });
  return next({ ctx: { user: ctx.user } });
});

export const authedProcedure = publicProcedure.use(requireUser);

/**
 * A procedure for members of the active tenant with at least `minimumRole`. It adds `ctx.tenantId`
 * and `ctx.withTenant(fn)`, a transaction scoped to that tenant by row-level security.
 */
export function tenantProcedure(minimumRole: Role) {
  return authedProcedure.use(({ ctx, next }) => {
    const membership = ctx.membership;
    if (!membership) throw new TRPCError({ code: 'FORBIDDEN', message: 'Choose a workspace first.' });
    if (!hasRole(membership.role, minimumRole)) {
      throw new TRPCError({ code: 'FORBIDDEN', message: `This needs the ${minimumRole} role or higher.` });
    }
    const { tenantId } = membership;
    const userId = ctx.user.id;
    return next({
      ctx: {
        tenantId,
        role: membership.role,
        withTenant: <T>(fn: (tx: Tx) => Promise<T>) =>
          withTenant(ctx.services.pools.app, tenantId, fn, { userId }),
      },
    });
  });
}
