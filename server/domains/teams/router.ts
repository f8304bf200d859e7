import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import { listTeams, teamSchema } from './queries.ts';
import { changeTeamMembership, createTeam, deleteExistingTeam, renameExistingTeam } from './service.ts';

const teamName = text({ min: 1, max: 60, tooShort: 'Team name is required.' });

export const teamRouter = router({
  /** The workspace's teams with their members' user ids, by name. */
  list: tenantProcedure('viewer')
    .output(z.array(teamSchema))
    .query(({ ctx }) =>
      ctx.withTenant(async (tx) =>
        (await mutableRows(tx.any(listTeams()))).map((team) => ({ ...team, memberIds: [...team.memberIds] })),
      ),
    ),

  create: tenantProcedure('admin')
    .input(z.object({ name: teamName }))
    .output(teamSchema)
    .mutation(({ ctx, input }) => createTeam(ctx, input.name)),

  rename: tenantProcedure('admin')
    .input(z.object({ id: z.uuid(), name: teamName }))
    .output(teamSchema)
    .mutation(({ ctx, input }) => renameExistingTeam(ctx, input.id, input.name)),

  delete: tenantProcedure('admin')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await deleteExistingTeam(ctx, input.id);
      return { ok: true as const };
    }),

  /** Puts a member in a team or takes them out (idempotent). */
  setMember: tenantProcedure('admin')
    .input(z.object({ teamId: z.uuid(), userId: z.uuid(), member: z.boolean() }))
    .output(teamSchema)
    .mutation(({ ctx, input }) => changeTeamMembership(ctx, input)),
});
