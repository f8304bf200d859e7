import { useSyncExternalStore } from 'react';
import type { MemberPresence } from '../../../../server/domains/presence/schemas.ts';

/** One member's presence as events.live sends it: online or away, viewing and typing where. */
export type { MemberPresence };

/** A tiny external store (useSyncExternalStore) for state shared across the shell without a provider. */
function createStore<T>(initial: T) {
  let value = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => value,
    set: (next: T) => {
      if (Object.is(next, value)) return;
      value = next;
      for (const listener of listeners) listener();
    },
    subscribe: (listener: () => void) => {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
  };
}

/** The workspace's presence, as last received (replaced whole by each presence event). */
const team = createStore<readonly MemberPresence[]>([]);

export const setTeamPresence = (members: readonly MemberPresence[]) => team.set(members);
/** The subscription (re)started or went down: nobody is known present until the server says so. */
export const clearTeamPresence = () => team.set([]);

export function useTeamPresence(): readonly MemberPresence[] {
  return useSyncExternalStore(team.subscribe, team.get);
}

/** A member's presence: 'online', 'away', or 'offline' when no tab of theirs reports. */
export function usePresenceStatus(userId: string): MemberPresence['status'] | 'offline' {
  const members = useTeamPresence();
  return members.find((m) => m.userId === userId)?.status ?? 'offline';
}

/** What this tab is doing, reported by PresenceReporter: the conversation shown and when a key was last typed. */
export interface Activity {
  conversationId: string | null;
  /** performance.now() of the last keystroke in the composer; null when not typing. */
  typedAt: number | null;
}

export const activity = createStore<Activity>({ conversationId: null, typedAt: null });

export function setViewing(conversationId: string | null): void {
  const current = activity.get();
  if (current.conversationId === conversationId) return;
  activity.set({ conversationId, typedAt: null });
}

/** A keystroke in the composer of the conversation shown. */
export function noteTyping(): void {
  activity.set({ ...activity.get(), typedAt: performance.now() });
}

/** The reply was sent or abandoned: not typing any more. */
export function stopTyping(): void {
  if (activity.get().typedAt !== null) activity.set({ ...activity.get(), typedAt: null });
}

/** The conversation this tab shows (for notifications: none for the one being read). */
export const viewingNow = () => activity.get().conversationId;
