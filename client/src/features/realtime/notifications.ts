import { useSyncExternalStore } from 'react';

/** Where the member's choice is kept (per browser: permission is per browser too). */
const storageKey = 'parley.notifications';

const supported = () => typeof window !== 'undefined' && 'Notification' in window;

const listeners = new Set<() => void>();
const changed = () => {
  for (const listener of listeners) listener();
};

function read(): 'on' | 'off' {
  try {
    return localStorage.getItem(storageKey) === 'on' ? 'on' : 'off';
  } catch {
    return 'off';
  }
}

/** On only when the member turned it on here and the browser allows it. */
export function notificationsOn(): boolean {
  return supported() && Notification.permission === 'granted' && read() === 'on';
}

/**
 * Turns desktop notifications on or off. Turning on asks the browser's permission, which browsers
 * grant only from a user gesture: call this from a click.
 */
export async function setNotifications(on: boolean): Promise<boolean> {
  if (!supported()) return false;
  if (on && Notification.permission !== 'granted') {
    const answer = await Notification.requestPermission();
    if (answer !== 'granted') {
      changed();
      return false;
    }
  }
  try {
    localStorage.setItem(storageKey, on ? 'on' : 'off');
  } catch {
    // private mode without storage: on for this page only
  }
  changed();
  return on;
}

export interface NotificationSetting {
  /** The browser has the Notification API. */
  supported: boolean;
  /** The browser refused (the member must allow it in the site's settings). */
  blocked: boolean;
  on: boolean;
}

export function useNotificationSetting(): NotificationSetting {
  const snapshot = useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () =>
      `${supported() ? 1 : 0}${supported() && Notification.permission === 'denied' ? 1 : 0}${notificationsOn() ? 1 : 0}`,
  );
  return { supported: snapshot[0] === '1', blocked: snapshot[1] === '1', on: snapshot[2] === '1' };
}

export interface NewCustomerMessages {
  conversationId: string;
  /** The contact's name as the inbox shows it (the events carry no message content). */
  name: string;
  count: number;
}

/**
 * Shows one notification per conversation with new customer messages, unless it is the one the member
 * is reading in a visible tab; clicking it focuses the tab and opens the conversation.
 */
export function notifyNewMessages(
  news: readonly NewCustomerMessages[],
  viewing: string | null,
  open: (conversationId: string) => void,
): void {
  if (!notificationsOn()) return;
  for (const item of news) {
    if (item.conversationId === viewing && document.visibilityState === 'visible') continue;
    const notification = new Notification(item.name, {
      body: item.count === 1 ? 'New WhatsApp message' : `${item.count} new WhatsApp messages`,
      tag: `parley-${item.conversationId}`,
    });
    notification.onclick = () => {
      window.focus();
      open(item.conversationId);
      notification.close();
    };
  }
}
