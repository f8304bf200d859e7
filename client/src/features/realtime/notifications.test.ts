// @vitest-environment jsdom
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { notificationsOn, notifyNewMessages, setNotifications } from './notifications.ts';

/** Desktop notifications for new customer messages: asked for by the member, never for what they read. */

class FakeNotification {
  static permission: NotificationPermission = 'default';
  static requestPermission = vi.fn(() => Promise.resolve(FakeNotification.answer));
  static answer: NotificationPermission = 'granted';
  static shown: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  readonly title: string;
  readonly options: NotificationOptions | undefined;
  constructor(title: string, options?: NotificationOptions) {
    this.title = title;
    this.options = options;
    FakeNotification.shown.push(this);
  }
  close() {}
}

let visibility: DocumentVisibilityState = 'visible';

beforeEach(() => {
  FakeNotification.permission = 'default';
  FakeNotification.answer = 'granted';
  FakeNotification.shown = [];
  FakeNotification.requestPermission.mockClear();
  vi.stubGlobal('Notification', FakeNotification);
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
  visibility = 'visible';
  localStorage.clear();
});
afterEach(() => vi.unstubAllGlobals());

const news = [
  { conversationId: 'c1', name: 'Maya', count: 1 },
  { conversationId: 'c2', name: 'Jonas', count: 3 },
];

describe('desktop notifications', () => {
  it('are off until the member turns them on, which asks the browser once', async () => {
    notifyNewMessages(news, null, () => {});
    expect(FakeNotification.shown).toHaveLength(0);
    expect(await setNotifications(true)).toBe(true);
    expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    FakeNotification.permission = 'granted';
    expect(notificationsOn()).toBe(true);
    notifyNewMessages(news, null, () => {});
    expect(FakeNotification.shown.map((n) => [n.title, n.options?.body])).toEqual([
      ['Maya', 'New WhatsApp message'],
      ['Jonas', '3 new WhatsApp messages'],
    ]);
  });

  it('stay off when the browser refuses', async () => {
    FakeNotification.answer = 'denied';
    expect(await setNotifications(true)).toBe(false);
    FakeNotification.permission = 'denied';
    notifyNewMessages(news, null, () => {});
    expect(FakeNotification.shown).toHaveLength(0);
  });

  it('skip the conversation on screen while the tab is visible, not while it is hidden', async () => {
    FakeNotification.permission = 'granted';
    await setNotifications(true);
    notifyNewMessages(news, 'c1', () => {});
    expect(FakeNotification.shown.map((n) => n.title)).toEqual(['Jonas']);
    FakeNotification.shown = [];
    visibility = 'hidden';
    notifyNewMessages(news, 'c1', () => {});
    expect(FakeNotification.shown.map((n) => n.title)).toEqual(['Maya', 'Jonas']);
  });

  it('open the conversation when clicked', async () => {
    FakeNotification.permission = 'granted';
    await setNotifications(true);
    const open = vi.fn();
    vi.spyOn(window, 'focus').mockImplementation(() => {});
    notifyNewMessages([news[0]!], null, open);
    FakeNotification.shown[0]?.onclick?.();
    expect(open).toHaveBeenCalledWith('c1');
  });

  it('can be turned off again', async () => {
    FakeNotification.permission = 'granted';
    await setNotifications(true);
    await setNotifications(false);
    notifyNewMessages(news, null, () => {});
    expect(FakeNotification.shown).toHaveLength(0);
  });
});
