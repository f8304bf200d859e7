import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { sql, type CommonQueryMethods } from 'slonik';
import { ZodError } from 'zod';
import { toTRPCError } from '../db/errors.ts';
import { withPlatform, withTenant, type Tx } from '../db/tx.ts';
import { scopeFor } from '../domains/apiKeys/authenticate.ts';
import { hasRole, type Role } from '../domains/members/roles.ts';
import { withTenantOutbox, type Outbox } from '../jobs/outbox.ts';
import type { Context } from './context.ts';
import { unstorableString } from './unstorable-text.ts';
import { fieldLabel, readableZodError } from './zod-messages.ts';

// Meta: a procedure's REST path (server/http/rest-api.ts serves it under /api/v1 and documents it).
const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    // Subscriptions (server-sent events): a ping well inside the server's 10 s idle timeout keeps the
    // stream open through proxies; a client that hears nothing for longer reconnects (with its last id).
    sse: {
      ping: { enabled: true, intervalMs: 5_000 },
      client: { reconnectAfterInactivityMs: 15_000 },
    },
    errorFormatter({ shape, error }) {
      const internal = error.code === 'INTERNAL_SERVER_ERROR';
      // Invalid input: every problem as a sentence naming its field, never zod's developer wording.
      const invalid =
        !internal && error.cause instanceof ZodError ? readableZodError(error.cause.issues) : null;
      return {
        ...shape,
        // A 5xx never echoes its cause: the log has it, keyed by request id.
        message: internal ? 'Internal server error' : (invalid?.message ?? shape.message),
        data: {
          ...shape.data,
          stack: undefined,
          zodError: invalid && { formErrors: invalid.formErrors, fieldErrors: invalid.fieldErrors },
        },
      };
    },
  });

/** Marks refusals made by the procedure builders (who may call), as opposed to business rules. */
export class AccessDenied extends Error {
  override name = 'AccessDenied';
}

function deny(code: 'UNAUTHORIZED' | 'FORBIDDEN', message: string): TRPCError {
  return new TRPCError({ code, message, cause: new AccessDenied(message) });
}

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

/**
 * Refuses, for every procedure and before its own schema runs, any string in the input (at any depth)
 * that the database could not store as sent: a NUL character or a broken UTF-16 surrogate, which
 * would otherwise reach PostgreSQL (SQLSTATE 22021: a 500, or a silently altered value). Schemas built
 * with text() also refuse the other invisible control characters.
 */
const refuseUnstorableText = t.middleware(async ({ getRawInput, next }) => {
  const problem = unstorableString(await getRawInput());
  if (problem) {
    const message = `${fieldLabel(problem.path)} ${problem.why}.`;
    throw new TRPCError({
      code: 'BAD_REQUEST',
      message,
      cause: new ZodError([{ code: 'custom', path: problem.path, message, input: undefined }]),
    });
  }
  return next();
});

/**
 * The transaction vocabulary every procedure gets, so routers never pick a pool: `ctx.db` runs single
 * statements as parley_app with no tenant in scope (account functions, throttles), `ctx.withPlatform(fn)`
 * a transaction without a tenant. tenantProcedure adds `withTenant` and `withOutbox`.
 */
const provideDatabase = t.middleware(({ ctx, next }) => {
  const app = ctx.services.pools.app;
  // Query methods only: a router cannot open its own transactions on the pool, nor end it.
  const db: CommonQueryMethods = app;
  return next({
    ctx: {
      db,
      withPlatform: <T>(fn: (tx: Tx) => Promise<T>) => withPlatform(app, fn),
    },
  });
});

export const publicProcedure = t.procedure
  .use(mapDatabaseErrors)
  .use(refuseUnstorableText)
  .use(provideDatabase);

const requireUser = t.middleware(({ ctx, next }) => {
  if (!ctx.user) {
    throw deny(
      'UNAUTHORIZED',
      ctx.apiKey ? 'This needs a signed-in user; API keys cannot do it.' : 'Sign in first.',
    );
  }
  return next({ ctx: { user: ctx.user } });
});

/** Signed-in users (session cookie), whatever their workspace. */
export const authedProcedure = publicProcedure.use(requireUser);

/**
 * The session id (sha256 of the cookie token) that account functions in the database take as the
 * caller's credential. Signed-in users without one exist only in tests built on createCaller.
 */
export function requireSession(ctx: Context): string {
  if (!ctx.session) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Sign in again to do this.' });
  return ctx.session.id;
}

/**
 * Platform operators only. The database functions they call check again, against the session the
 * transaction carries (app.session_id), that it is a platform admin's.
 */
export const platformProcedure = authedProcedure.use(({ ctx, next }) => {
  if (!ctx.user.isPlatformAdmin) throw deny('FORBIDDEN', 'Only platform administrators can do this.');
  const userId = ctx.user.id;
  const sessionId = ctx.session?.id ?? '';
  return next({
    ctx: {
      withPlatform: <T>(fn: (tx: Tx) => Promise<T>) =>
        withPlatform(
          ctx.services.pools.app,
          async (tx) => {
            await tx.query(sql.unsafe`select set_config('app.session_id', ${sessionId}, true)`);
            return fn(tx);
          },
          { userId },
        ),
    },
  });
});

export interface TenantProcedureOptions {
  /** Whether API keys may call it (with the scope matching the role); false for account-level powers. */
  apiKeys?: boolean;
}

/**
 * A procedure for the active tenant with at least `minimumRole`: a session user's membership role, or an
 * API key whose scopes cover it (read → viewer, write → agent, manage → admin; never owner). It adds
 * `ctx.tenantId`, `ctx.role`, `ctx.actor`, `ctx.withTenant(fn)`, a transaction scoped to that tenant
 * by row-level security, and `ctx.withOutbox(fn)`, the same with jobs that commit with it.
 */
export function tenantProcedure(minimumRole: Role, options: TenantProcedureOptions = {}) {
  return publicProcedure.use(({ ctx, next }) => {
    let tenantId: string;
    let role: Role;
    let tenantStatus: 'active' | 'suspended';
    let actor: { userId: string | null; apiKeyId: string | null };
    if (ctx.apiKey) {
      const scope = scopeFor(minimumRole);
      if (options.apiKeys === false || !scope) {
        throw deny('FORBIDDEN', 'API keys cannot do this; sign in as a member.');
      }
      if (!ctx.apiKey.scopes.includes(scope)) {
        throw deny('FORBIDDEN', `This API key lacks the "${scope}" scope.`);
      }
      tenantId = ctx.apiKey.tenantId;
      role = minimumRole;
      tenantStatus = ctx.apiKey.tenantStatus;
      actor = { userId: null, apiKeyId: ctx.apiKey.id };
    } else {
      if (!ctx.user) throw deny('UNAUTHORIZED', 'Sign in first.');
      const membership = ctx.membership;
      if (!membership) throw deny('FORBIDDEN', 'Choose a workspace first.');
      if (!hasRole(membership.role, minimumRole)) {
        throw deny('FORBIDDEN', `This needs the ${minimumRole} role or higher.`);
      }
      tenantId = membership.tenantId;
      role = membership.role;
      tenantStatus = membership.tenantStatus;
      actor = { userId: ctx.user.id, apiKeyId: null };
    }
    return next({
      ctx: {
        tenantId,
        role,
        tenantStatus,
        actor,
        withTenant: <T>(fn: (tx: Tx) => Promise<T>) =>
          withTenant(ctx.services.pools.app, tenantId, fn, { userId: actor.userId }),
        /** A tenant transaction whose `outbox.send(job)` jobs are inserted in it, committing together. */
        withOutbox: <T>(fn: (tx: Tx, outbox: Outbox) => Promise<T>) =>
          withTenantOutbox(
            ctx.services.pools.owner,
            ctx.services.boss,
            { tenantId, userId: actor.userId },
            fn,
          ),
      },
    });
  });
}
