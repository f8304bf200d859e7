import { useSyncExternalStore } from 'react';

/** Whether the realtime subscription is up: lists poll (slowly) only while it is not. */
export type LiveState = 'connecting' | 'live' | 'down';

let state: LiveState = 'connecting';
const listeners = new Set<() => void>();

export function setLiveState(next: LiveState): void {
  if (next === state) return;
  state = next;
  for (const listener of listeners) listener();
}

export function useLiveState(): LiveState {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => state,
  );
}

/** The fallback poll while the subscription is down (it used to be every 3 s, always). */
export const fallbackPollMs = 15_000;

/** A query's refetchInterval: none while live updates arrive, a slow poll while they do not. */
export function usePollWhileOffline(): number | false {
  return useLiveState() === 'live' ? false : fallbackPollMs;
}

/** "(3) Inbox · Parley": the unread count ahead of whatever title the page set. */
export function titleWithUnread(title: string, unread: number): string {
  const bare = title.replace(/^\(\d+\+?\) /, '');
  if (unread <= 0) return bare;
  return `(${unread > 99 ? '99+' : unread}) ${bare}`;
}
