import { z } from 'zod';

export const presenceStatus = z.enum(['online', 'away']);

/** What a browser tab reports about its member (presence.update's input). */
export const presenceReportSchema = z.object({
  /** A random id per tab: a member online in one tab and away in another is online. */
  tabId: z.uuid(),
  /** Away: the tab is hidden, or its member has not touched it for a while. */
  status: presenceStatus,
  /** The conversation the tab shows, if any. */
  conversationId: z.uuid().nullable(),
  /** Typing in that conversation's composer (true again every few seconds while typing). */
  typing: z.boolean().default(false),
});
export type PresenceReport = z.infer<typeof presenceReportSchema>;

/** One member's presence across their tabs, as teammates receive it on events.live. */
export const memberPresenceSchema = z.object({
  userId: z.string(),
  status: presenceStatus,
  /** Conversations the member's tabs show. */
  viewing: z.array(z.string()),
  /** Conversations the member is typing in. */
  typing: z.array(z.string()),
});
export type MemberPresence = z.infer<typeof memberPresenceSchema>;

/** The workspace's presence, whole: sent when it changes and when a subscription starts. */
export interface PresenceEvent {
  type: 'presence';
  members: MemberPresence[];
}
