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
  logIn,
  logOut,
  logOutEverywhere,
  me,
  meAfterSignIn,
  requestPasswordReset,
  resetPassword,
  signUp,
} from './service.ts';

const meSchema = z
  .object({
    user: sessionUserSchema,
    activeTenantId: z.string().nullable(),
    workspaces: z.array(workspaceSchema),
  })
  .nullable();

const client = (ctx: Context) => ({ ip: ctx.ip, userAgent: ctx.userAgent });
const ok = z.object({ ok: z.literal(true) });

export const authRouter = router({
  /** Creates an account with a new workspace (or joining an invitation's) and signs it in. */
  signUp: publicProcedure
    .input(signUpInput)
    .output(meSchema)
    .mutation(async ({ ctx, input }) => {
      const { session } = await signUp(
        ctx.db,
        ctx.withPlatform,
        input,
        client(ctx),
        ctx.services.config.signUpsPerHour,
      );
      ctx.cookies.set(session.token, session.expiresAt);
      return meAfterSignIn(ctx.db, session.id);
    }),

  logIn: publicProcedure
    .input(loginInput)
    .output(meSchema)
    .mutation(async ({ ctx, input }) => {
      const { session } = await logIn(ctx.db, input, client(ctx));
      ctx.cookies.set(session.token, session.expiresAt);
      return meAfterSignIn(ctx.db, session.id);
    }),

  /** Ends this session. Safe to call when already signed out. */
  logOut: publicProcedure.output(ok).mutation(async ({ ctx }) => {
    if (ctx.session) await logOut(ctx.db, ctx.session.id);
    ctx.cookies.clear();
    return { ok: true as const };
  }),

  /** Ends every session of this user, on every device, this one included. */
  logOutEverywhere: authedProcedure
    .output(z.object({ sessionsEnded: z.number() }))
    .mutation(async ({ ctx }) => {
      const sessionsEnded = await logOutEverywhere(ctx.db, requireSession(ctx));
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
