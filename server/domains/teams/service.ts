import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import {
  addTeamMember,
  announceTeam,
  deleteTeam,
  insertTeam,
  memberExists,
  nameTaken,
  removeTeamMember,
  renameTeam,
  teamById,
  type Team,
} from './queries.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

const taken = (name: string) =>
  new TRPCError({ code: 'CONFLICT', message: `A team named “${name}” already exists.` });
const noSuchTeam = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such team.' });

async function loaded(tx: Tx, id: string): Promise<Team> {
  const team = await tx.maybeOne(teamById(id));
  if (!team) throw noSuchTeam();
  return { ...team, memberIds: [...team.memberIds] };
}

export function createTeam(scope: Scope, name: string): Promise<Team> {
  return scope.withTenant(async (tx) => {
    const created = await tx.maybeOne(insertTeam(name));
    if (!created) throw taken(name);
    await tx.query(announceTeam(created.id));
    return loaded(tx, created.id);
  });
}

export function renameExistingTeam(scope: Scope, id: string, name: string): Promise<Team> {
  return scope.withTenant(async (tx) => {
    if (await tx.exists(nameTaken(name, id))) throw taken(name);
    if (!(await tx.maybeOne(renameTeam(id, name)))) throw noSuchTeam();
    await tx.query(announceTeam(id));
    return loaded(tx, id);
  });
}

/** Deletes a team; its conversations keep their member assignee and lose the team. */
export function deleteExistingTeam(scope: Scope, id: string): Promise<void> {
  return scope.withTenant(async (tx) => {
    if (!(await tx.maybeOne(deleteTeam(id)))) throw noSuchTeam();
    await tx.query(announceTeam(id));
  });
}

export function changeTeamMembership(
  scope: Scope,
  input: { teamId: string; userId: string; member: boolean },
): Promise<Team> {
  return scope.withTenant(async (tx) => {
    await loaded(tx, input.teamId);
    if (input.member) {
      if (!(await tx.exists(memberExists(input.userId)))) {
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'That person is not a member of this workspace.',
        });
      }
      await tx.query(addTeamMember(input.teamId, input.userId));
    } else {
      await tx.query(removeTeamMember(input.teamId, input.userId));
    }
    await tx.query(announceTeam(input.teamId));
    return loaded(tx, input.teamId);
  });
}
