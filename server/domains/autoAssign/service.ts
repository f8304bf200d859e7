import { TRPCError } from '@trpc/server';
import { mutableRows } from '../../db/rows.ts';
import type { Tx } from '../../db/tx.ts';
import {
  announceAvailability,
  assignDue,
  availableUserIds,
  deleteRule,
  markAvailable,
  markUnavailable,
  phoneNumberExists,
  ruleOf,
  teamExists,
  upsertRule,
  type Rule,
} from './queries.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

/** Turns round robin on a phone number on (among a team's members, or everyone's) or off. */
export function setRule(
  scope: Scope,
  input: { phoneNumberId: string; enabled: boolean; teamId: string | null },
): Promise<Rule> {
  return scope.withTenant(async (tx) => {
    if (!(await tx.exists(phoneNumberExists(input.phoneNumberId)))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such phone number in this workspace.' });
    }
    if (input.enabled && input.teamId && !(await tx.exists(teamExists(input.teamId)))) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: 'No such team in this workspace.' });
    }
    await tx.query(
      input.enabled ? upsertRule(input.phoneNumberId, input.teamId) : deleteRule(input.phoneNumberId),
    );
    return tx.one(ruleOf(input.phoneNumberId));
  });
}

/** Who takes conversations now, and whether the caller does. */
export function availability(scope: Scope, userId: string | null) {
  return scope.withTenant(async (tx) => {
    const ids = (await mutableRows(tx.any(availableUserIds()))).map((row) => row.userId);
    return { available: userId !== null && ids.includes(userId), availableUserIds: ids };
  });
}

/** The caller starts or stops taking round-robin conversations. */
export function setAvailable(scope: Scope, userId: string, available: boolean) {
  return scope.withTenant(async (tx) => {
    await tx.query(available ? markAvailable(userId) : markUnavailable(userId));
    await tx.query(announceAvailability(userId));
    // Conversations that waited for someone to be available are assigned now.
    if (available) await assignDueConversations(tx);
    const ids = (await mutableRows(tx.any(availableUserIds()))).map((row) => row.userId);
    return { available: ids.includes(userId), availableUserIds: ids };
  });
}

/**
 * Round robin for the conversations that opened unassigned in this transaction (and any left due):
 * writers that may open conversations call it just before they commit, so the assignment commits
 * with the opening and the rule's lock is held only for that moment.
 */
export async function assignDueConversations(tx: Tx, conversationIds: readonly string[] | null = null) {
  return mutableRows(tx.any(assignDue(conversationIds)));
}
