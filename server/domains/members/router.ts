import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { authedProcedure, requireSession, router, tenantProcedure } from '../../trpc/init.ts';
import { changeRoleInput, invitationSchema, inviteInput, memberIdInput, memberSchema } from './schemas.ts';
import {
  acceptInvitation,
  changeRole,
  invite,
  leave,
  listInvitations,
  listMembers,
  removeMember,
  revokeInvitation,
  transferOwnership,
} from './service.ts';

const ok = z.object({ ok: z.literal(true) });
const done = { ok: true as const };

/** These procedures refuse API keys, so a user acts; the check keeps the type honest. */
function memberActor(userId: string | null): string {
  if (!userId) throw new TRPCError({ code: 'FORBIDDEN', message: 'Only a signed-in member can do this.' });
  return userId;
}

export const memberRouter = router({
  list: tenantProcedure('viewer')
    .output(z.array(memberSchema))
    .query(({ ctx }) => ctx.withTenant(listMembers)),

  changeRole: tenantProcedure('admin', { apiKeys: false })
    .input(changeRoleInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      const actor = memberActor(ctx.actor.userId);
      await ctx.withTenant((tx) => changeRole(tx, actor, input.userId, input.role));
      return done;
    }),

  remove: tenantProcedure('admin', { apiKeys: false })
    .input(memberIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      const actor = memberActor(ctx.actor.userId);
      await ctx.withTenant((tx) => removeMember(tx, actor, input.userId));
      return done;
    }),

  /** Leaves the active workspace. The last owner cannot leave: transfer ownership first. */
  leave: tenantProcedure('viewer', { apiKeys: false })
    .output(ok)
    .mutation(async ({ ctx }) => {
      const userId = memberActor(ctx.actor.userId);
      await ctx.withTenant((tx) => leave(tx, userId));
      return done;
    }),

  /** Makes another member the owner; the current owner becomes an admin. */
  transferOwnership: tenantProcedure('owner', { apiKeys: false })
    .input(memberIdInput)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      const userId = memberActor(ctx.actor.userId);
      await ctx.withTenant((tx) => transferOwnership(tx, userId, input.userId));
      return done;
    }),
});

export const invitationRouter = router({
  /** Invites by email; the link (also emailed) is shown once, only its hash is stored. */
  create: tenantProcedure('admin', { apiKeys: false })
    .input(inviteInput)
    .output(z.object({ id: z.string(), link: z.string(), expiresAt: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { id, link, expiresAt } = await ctx.withTenant((tx) =>
        invite(
          tx,
          { ...input, invitedBy: ctx.actor.userId, tenantId: ctx.tenantId },
          ctx.services.mailer,
          ctx.services.config.publicUrl,
        ),
      );
      return { id, link, expiresAt };
    }),

  list: tenantProcedure('admin')
    .output(z.array(invitationSchema))
    .query(({ ctx }) => ctx.withTenant(listInvitations)),

  revoke: tenantProcedure('admin', { apiKeys: false })
    .input(z.object({ id: z.uuid() }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await ctx.withTenant((tx) => revokeInvitation(tx, input.id));
      return done;
    }),

  /** Joins the invitation's workspace and makes it the active one. */
  accept: authedProcedure
    .input(z.object({ token: z.string().min(20).max(100) }))
    .output(z.object({ tenantId: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const sessionId = requireSession(ctx);
      const tenantId = await ctx.withPlatform((tx) => acceptInvitation(tx, input.token, sessionId));
      return { tenantId };
    }),
});
