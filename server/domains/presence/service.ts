import { TRPCError } from '@trpc/server';
import type { AppServices } from '../../app-services.ts';
import type { InTransaction } from '../../db/tx.ts';
import { assignDueConversations } from '../autoAssign/service.ts';
import { leavePresence as leaveQuery, setPresence } from './queries.ts';
import type { PresenceReport } from './schemas.ts';

/** How long "typing" lasts after the last keystroke report (the composer reports every ~2 s while typing). */
export const typingSeconds = 6;

interface Scope {
  services: AppServices;
  actor: { userId: string | null };
  withTenant: InTransaction;
}

function member(scope: Scope): string {
  if (!scope.actor.userId) throw new TRPCError({ code: 'FORBIDDEN', message: 'Presence is for members.' });
  return scope.actor.userId;
}

/**
 * Records what a tab reports; the database tells teammates' web nodes (NOTIFY parley_presence) when it
 * changes what they see. Returns whether it did.
 */
export async function reportPresence(scope: Scope, report: PresenceReport): Promise<boolean> {
  member(scope);
  const ttl = scope.services.config.presenceTtlSeconds;
  return scope.withTenant(async (tx) => {
    const changed = await tx.oneFirst(setPresence(report, ttl, typingSeconds));
    // Round robin takes connected members only: one who connects takes what waited for someone.
    if (changed) await assignDueConversations(tx);
    return changed;
  });
}

export async function leavePresence(scope: Scope, tabId: string): Promise<boolean> {
  member(scope);
  return scope.withTenant((tx) => tx.oneFirst(leaveQuery(tabId)));
}
