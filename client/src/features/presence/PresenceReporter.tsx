import { useEffect, useRef } from 'react';
import { trpc } from '../../trpc.ts';
import { activity } from './store.ts';

/** Heartbeat: well inside the server's PRESENCE_TTL_SECONDS (45 s by default). */
export const heartbeatMs = 20_000;
/** Without touching the tab for this long, its member is away (so is a hidden tab, at once). */
export const awayAfterMs = 5 * 60_000;
/** Typing stops this long after the last keystroke; while typing, reported again this often. */
const typingIdleMs = 4_000;
const typingRepeatMs = 3_000;

/** This tab's id: a member online in one tab and away in another is online. */
export const presenceTabId = crypto.randomUUID();
const tabId = presenceTabId;

interface Report {
  status: 'online' | 'away';
  conversationId: string | null;
  typing: boolean;
}

const same = (a: Report | null, b: Report) =>
  a !== null && a.status === b.status && a.conversationId === b.conversationId && a.typing === b.typing;

/**
 * Reports this tab's presence (online or away, the conversation shown, typing) whenever it changes,
 * and as a heartbeat; says goodbye when the signed-in shell goes (sign out, workspace switch) or the
 * page is closed. Mounted once in the shell, beside LiveUpdates.
 */
export function PresenceReporter() {
  const update = trpc.presence.update.useMutation();
  const leave = trpc.presence.leave.useMutation();
  const { mutate } = update;
  const { mutate: goodbye } = leave;
  const sent = useRef<{ report: Report | null; at: number }>({ report: null, at: 0 });

  useEffect(() => {
    let touchedAt = performance.now();
    let timer = 0;
    const current = (): Report => {
      const now = performance.now();
      const { conversationId, typedAt } = activity.get();
      const away = document.visibilityState === 'hidden' || now - touchedAt > awayAfterMs;
      const typing = !away && conversationId !== null && typedAt !== null && now - typedAt < typingIdleMs;
      return { status: away ? 'away' : 'online', conversationId, typing };
    };
    const send = (force = false) => {
      const report = current();
      const now = performance.now();
      const repeatTyping = report.typing && now - sent.current.at > typingRepeatMs;
      if (force || repeatTyping || !same(sent.current.report, report)) {
        sent.current = { report, at: now };
        mutate({ tabId, ...report });
      }
      // Look again when typing would stop or the member would become away.
      window.clearTimeout(timer);
      const { typedAt } = activity.get();
      const next = report.typing && typedAt !== null ? typingIdleMs - (now - typedAt) + 50 : heartbeatMs;
      timer = window.setTimeout(() => send(performance.now() - sent.current.at >= heartbeatMs - 100), next);
    };
    const touched = () => {
      const wasAway = performance.now() - touchedAt > awayAfterMs;
      touchedAt = performance.now();
      if (wasAway) send();
    };
    const unsubscribe = activity.subscribe(() => send());
    const onVisibility = () => {
      if (document.visibilityState === 'visible') touchedAt = performance.now();
      send();
    };
    const onPageHide = () => {
      // The page is going: a request that outlives it (keepalive), with the session cookie.
      void fetch('/trpc/presence.leave', {
        method: 'POST',
        keepalive: true,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tabId }),
      }).catch(() => {});
      sent.current.report = null;
    };
    const activityEvents = ['pointerdown', 'keydown', 'mousemove', 'wheel', 'touchstart'] as const;
    for (const name of activityEvents) window.addEventListener(name, touched, { passive: true });
    document.addEventListener('visibilitychange', onVisibility);
    window.addEventListener('pagehide', onPageHide);
    window.addEventListener('pageshow', onVisibility);
    send(true);
    return () => {
      unsubscribe();
      window.clearTimeout(timer);
      for (const name of activityEvents) window.removeEventListener(name, touched);
      document.removeEventListener('visibilitychange', onVisibility);
      window.removeEventListener('pagehide', onPageHide);
      window.removeEventListener('pageshow', onVisibility);
      goodbye({ tabId });
    };
  }, [mutate, goodbye]);
  return null;
}
