import { z } from 'zod';
import { authedProcedure, publicProcedure, requireSession, router } from '../../trpc/init.ts';
import type { Context } from '../../trpc/context.ts';
import {
  changePasswordInput,
  loginInput,
  requestPasswordResetInput,
  resetPasswordInput,
  sessionUserSchema,
  signUpInput,
  workspaceSchema,
} from './schemas.ts';
import {
  changePassword,
  listWorkspaces,
  logIn,
  requestPasswordReset,
  resetPassword,
  signUp,
} from './service.ts';
import { sql, type CommonQueryMethods } from 'slonik';

const meSchema = z
  .object({
    user: sessionUserSchema,
    activeTenantId: z.string().nullable(),
    workspaces: z.array(workspaceSchema),
  })
  .nullable();

async function me(
  db: CommonQueryMethods,
  sessionId: string,
  activeTenantId: string | null,
): Promise<z.infer<typeof meSchema>> {
  const user = await db.maybeOne(sql.type(sessionUserSchema)`
    select id, email, display_name as "displayName", is_platform_admin as "isPlatformAdmin"
    from app_public.user_profile(${sessionId})
  `);
  if (!user) return null;
  return { user, activeTenantId, workspaces: await listWorkspaces(db, sessionId) };
}

const client = (ctx: Context) => ({ ip: ctx.ip, userAgent: ctx.userAgent });
const ok = z.object({ ok: z.literal(true) });

export const authRouter = router({
  /** Creates an account with a new workspace (or joining an invitation's) and signs it in. */
  signUp: publicProcedure
    .input(signUpInput)
    .output(meSchema)
    .mutation(async ({ ctx, input }) => {
      const { session } = await signUp(ctx.db, ctx.withPlatform, input, client(ctx));
      ctx.cookies.set(session.token, session.expiresAt);
      const result = await me(ctx.db, session.id, null);
      return result && { ...result, activeTenantId: result.workspaces[0]?.tenantId ?? null };
    }),

  logIn: publicProcedure
    .input(loginInput)
    .output(meSchema)
    .mutation(async ({ ctx, input }) => {
      const { session } = await logIn(ctx.db, input, client(ctx));
      ctx.cookies.set(session.token, session.expiresAt);
      const result = await me(ctx.db, session.id, null);
      return result && { ...result, activeTenantId: result.workspaces[0]?.tenantId ?? null };
    }),

  /** Ends this session. Safe to call when already signed out. */
  logOut: publicProcedure.output(ok).mutation(async ({ ctx }) => {
    if (ctx.session) await ctx.db.query(sql.unsafe`select app_public.delete_session(${ctx.session.id})`);
    ctx.cookies.clear();
    return { ok: true as const };
  }),

  /** Ends every session of this user, on every device, this one included. */
  logOutEverywhere: authedProcedure
    .output(z.object({ sessionsEnded: z.number() }))
    .mutation(async ({ ctx }) => {
      const sessionsEnded = await ctx.db.oneFirst(
        sql.type(
          z.object({ n: z.number() }),
        )`select app_public.delete_user_sessions(${requireSession(ctx)}, false) as n`,
      );
      ctx.cookies.clear();
      return { sessionsEnded };
    }),

  /** Who is signed in, their workspaces and the active one; null when signed out. */
  me: publicProcedure
    .output(meSchema)
    .query(({ ctx }) => (ctx.session ? me(ctx.db, ctx.session.id, ctx.membership?.tenantId ?? null) : null)),

  changePassword: authedProcedure
    .input(changePasswordInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await changePassword(
        ctx.db,
        { id: requireSession(ctx), email: ctx.user.email },
        input.currentPassword,
        input.newPassword,
      );
      return { ok: true as const };
    }),

  /** Always answers ok, so it cannot be used to find out who has an account. */
  requestPasswordReset: publicProcedure
    .input(requestPasswordResetInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await requestPasswordReset(
        ctx.db,
        ctx.services.boss,
        { email: input.email, requestId: ctx.requestId },
        client(ctx),
      );
      return { ok: true as const };
    }),

  /** Sets a new password with a reset link's token; every session of the account is ended. */
  resetPassword: publicProcedure
    .input(resetPasswordInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withPlatform((tx) => resetPassword(tx, input.token, input.newPassword));
      return { ok: true as const };
    }),
});
