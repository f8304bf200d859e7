import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import { assignDueConversations } from '../autoAssign/service.ts';
import {
  announce,
  assignIfAt,
  conversationExists,
  isMember,
  setStatusIfAt,
  teamExists,
  workflowOf,
  type Workflow,
} from './queries.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

export type StatusChange =
  { status: 'open' | 'pending' | 'resolved' } | { status: 'snoozed'; snoozedUntil: string };

/**
 * A change made on what the caller saw (`version`): when another agent changed the conversation
 * meanwhile, nothing is written and the caller is told, with the conversation as it is now — so of
 * two agents assigning at once exactly one wins, and both see the result (its realtime event).
 */
async function changeIfAt(
  tx: Tx,
  conversationId: string,
  change: Promise<Workflow | null>,
): Promise<Workflow> {
  const changed = await change;
  if (changed) return changed;
  if (!(await tx.exists(conversationExists(conversationId)))) {
    throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
  }
  throw new TRPCError({
    code: 'CONFLICT',
    message: 'Someone else changed this conversation meanwhile; look at it again and retry.',
  });
}

export async function setStatus(
  scope: Scope,
  input: { id: string; version: number } & StatusChange,
): Promise<Workflow> {
  const snoozedUntil = input.status === 'snoozed' ? input.snoozedUntil : null;
  if (snoozedUntil && Date.parse(snoozedUntil) <= Date.now()) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Snooze until a time in the future.' });
  }
  return scope.withTenant(async (tx) => {
    const current = await tx.maybeOne(workflowOf(input.id));
    // Asking for what already is (same status and snooze) is no change, and no conflict.
    if (current && current.status === input.status && current.snoozedUntil === snoozedUntil) return current;
    const changed = await changeIfAt(
      tx,
      input.id,
      tx.maybeOne(setStatusIfAt(input.id, input.version, input.status, snoozedUntil)),
    );
    await tx.query(announce('conversation.status', input.id));
    // Reopened unassigned on a number with round robin: assigned at once (the answer shows the opening).
    if ((await assignDueConversations(tx, [input.id])).length > 0) return await tx.one(workflowOf(input.id));
    return changed;
  });
}

export async function assign(
  scope: Scope,
  input: { id: string; version: number; userId: string | null; teamId: string | null },
): Promise<Workflow> {
  return scope.withTenant(async (tx) => {
    if (input.userId && !(await tx.exists(isMember(input.userId)))) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'That person is not a member of this workspace.' });
    }
    if (input.teamId && !(await tx.exists(teamExists(input.teamId)))) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'No such team in this workspace.' });
    }
    const current = await tx.maybeOne(workflowOf(input.id));
    if (current && current.assignedUserId === input.userId && current.assignedTeamId === input.teamId) {
      return current;
    }
    const changed = await changeIfAt(
      tx,
      input.id,
      tx.maybeOne(assignIfAt(input.id, input.version, input.userId, input.teamId)),
    );
    await tx.query(announce('conversation.assigned', input.id));
    return changed;
  });
}
