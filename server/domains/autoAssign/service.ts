import { TRPCError } from '@trpc/server';
import type { DatabasePool } from 'slonik';
import { mutableRows } from '../../db/rows.ts';
import { withTenant, type Tx } from '../../db/tx.ts';
import {
  announceAvailability,
  autoAssign,
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
    const ids = (await mutableRows(tx.any(availableUserIds()))).map((row) => row.userId);
    return { available: ids.includes(userId), availableUserIds: ids };
  });
}

/**
 * The conversation.autoassign job: round robin for conversations that opened unassigned, in a short
 * transaction of its own (as the system: the timeline says "auto-assigned", the assignee is notified).
 */
export function runAutoAssign(pool: DatabasePool, tenantId: string, conversationIds: readonly string[]) {
  return withTenant(pool, tenantId, (tx) => mutableRows(tx.any(autoAssign(conversationIds))));
}
