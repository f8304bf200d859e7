import { useQueryClient, type InfiniteData } from '@tanstack/react-query';
import { getQueryKey } from '@trpc/react-query';
import { useEffect, useRef } from 'react';
import { useNavigate } from 'react-router';
import { trpc } from '../../trpc.ts';
import {
  contactName,
  nextConversationCursor,
  pageSize,
  uniqueById,
  type Conversation,
} from '../inbox/types.ts';
import { useCampaignEvents } from '../campaigns/live.ts';
import { PresenceReporter } from '../presence/PresenceReporter.tsx';
import { clearTeamPresence, setTeamPresence, viewingNow } from '../presence/store.ts';
import { useMe } from '../session/session.ts';
import { setLiveState, titleWithUnread, usePollWhileOffline } from './live.ts';
import { notifyNewMessages } from './notifications.ts';

/** What an event says of a conversation it touched (loaded by the server under row-level security). */
interface Touch {
  id: string;
  status: string;
  lastMessageAt: string | null;
  /** Customer messages since the last reply (the same for everyone; my own unread comes with the list). */
  unreadCount: number;
  snoozedUntil: string | null;
  assignedUserId: string | null;
  assignedTeamId: string | null;
  /** The workflow version (status, snooze, assignment): what the next change names. */
  version: number;
}

/** Coalesces a burst of events into one refetch per list (and per open thread). */
const settleMs = 40;

/**
 * The realtime bus in the browser, mounted once in the signed-in shell: subscribes to the workspace's
 * events (server-sent events, resumed by the browser with the last event id), patches the inbox's
 * cached conversations in place, refetches what moved, and keeps the unread count in the tab title
 * (conversations assigned to me or to nobody). New customer messages there raise a desktop
 * notification when the member turned them on (notifications.ts). Teammates' presence arrives here
 * too (presence/store.ts); this tab's own is reported by PresenceReporter.
 * While the subscription is down, lists fall back to a slow poll (usePollWhileOffline).
 */
export function LiveUpdates() {
  const utils = trpc.useUtils();
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const me = useMe().data?.user.id ?? null;
  const mine = (c: { assignedUserId: string | null }) => c.assignedUserId === null || c.assignedUserId === me;
  const poll = usePollWhileOffline();
  // Every conversation, most recent first (the All tab's query): what a new message is compared with
  // before it is announced.
  trpc.conversation.list.useInfiniteQuery(
    { limit: pageSize },
    { getNextPageParam: nextConversationCursor, refetchInterval: poll },
  );
  // The tab title's count comes counted by the server: the loaded pages are only the newest
  // conversations, so summing them undercounts a busy inbox.
  const totals = trpc.conversation.unreadTotals.useQuery(undefined, { refetchInterval: poll });
  useUnreadTitle(totals.data?.messages ?? 0);

  const campaignChanged = useCampaignEvents();
  const pending = useRef({ list: false, threads: new Set<string>(), timer: 0 });
  const wasLive = useRef(false);
  const flush = () => {
    const work = pending.current;
    work.timer = 0;
    if (work.list) {
      void utils.conversation.list.invalidate();
      void utils.conversation.counts.invalidate();
      void utils.conversation.unreadTotals.invalidate();
      void utils.conversation.byId.invalidate();
    }
    for (const conversationId of work.threads) void utils.message.list.invalidate({ conversationId });
    work.list = false;
    work.threads.clear();
  };
  const schedule = (list: boolean, threads: readonly string[]) => {
    const work = pending.current;
    work.list ||= list;
    for (const id of threads) work.threads.add(id);
    if (!work.timer) work.timer = window.setTimeout(flush, settleMs);
  };
  useEffect(() => () => window.clearTimeout(pending.current.timer), []);

  /**
   * Changes the cached conversations of every list (each filter has its own) and every open one in
   * place; true when one moved or is unknown (refetch the lists). Unread counts are per member and
   * come with the refetch, not with the event.
   */
  const patch = (touches: readonly Touch[]): boolean => {
    let moved = false;
    const byId = new Map(touches.map((t) => [t.id, t]));
    const seen = new Set<string>();
    const patched = (conversation: Conversation): Conversation => {
      const touch = byId.get(conversation.id);
      if (!touch) return conversation;
      seen.add(conversation.id);
      if (touch.lastMessageAt !== conversation.lastMessageAt) moved = true;
      return {
        ...conversation,
        status: touch.status as Conversation['status'],
        snoozedUntil: touch.snoozedUntil,
        assignedUserId: touch.assignedUserId,
        assignedTeamId: touch.assignedTeamId,
        version: touch.version,
      };
    };
    queryClient.setQueriesData<InfiniteData<Conversation[]>>(
      { queryKey: getQueryKey(trpc.conversation.list, undefined, 'infinite') },
      (data) => (data ? { ...data, pages: data.pages.map((page) => page.map(patched)) } : data),
    );
    queryClient.setQueriesData<Conversation>({ queryKey: getQueryKey(trpc.conversation.byId) }, (data) =>
      data ? patched(data) : data,
    );
    return moved || seen.size < byId.size;
  };

  /** New customer messages (the unread count rose) in conversations that are mine or nobody's. */
  const announce = (touches: readonly Touch[]) => {
    const known = new Map(
      uniqueById(utils.conversation.list.getInfiniteData({ limit: pageSize })?.pages).map((c) => [c.id, c]),
    );
    const news = touches.flatMap((touch) => {
      const before = known.get(touch.id);
      const count = touch.unreadCount - (before?.unreadCount ?? 0);
      if (!mine(touch) || count <= 0) return [];
      return [{ conversationId: touch.id, name: before ? contactName(before) : 'New conversation', count }];
    });
    if (news.length) notifyNewMessages(news, viewingNow(), (id) => void navigate(`/inbox/${id}`));
  };

  const subscription = trpc.events.live.useSubscription(
    {},
    {
      // Each (re)connection sends the presence anew (none when nobody is present).
      onStarted: clearTeamPresence,
      onError: clearTeamPresence,
      onData(data) {
        // Presence has no event id of its own, but arrives with the browser's last one when there is
        // one (EventSource keeps it): either shape.
        const event = 'id' in data ? data.data : data;
        if (event.type === 'presence') {
          setTeamPresence(event.members);
          return;
        }
        if (event.type === 'ready') {
          // Back after a gap the server could not replay (a new subscription): catch up once.
          if (wasLive.current) schedule(true, []);
          if (wasLive.current) void utils.message.list.invalidate();
          wasLive.current = true;
          return;
        }
        if (event.type !== 'change') {
          // resync: the server could not tell what was missed; reload what is shown.
          void utils.conversation.list.invalidate();
          void utils.conversation.byId.invalidate();
          void utils.message.list.invalidate();
          return;
        }
        if (event.kind.startsWith('team.')) void utils.team.list.invalidate();
        if (event.kind.startsWith('label.') || event.kind === 'conversation.labels') {
          void utils.label.list.invalidate();
        }
        // Someone's read state moved: only mine changes what I see (another tab or device of mine).
        if (event.kind === 'conversation.read' && !event.entityIds.includes(me ?? '')) return;
        if (event.kind.startsWith('contact.')) void utils.contact.byId.invalidate();
        // An import's progress (its wizard shows it); a finished one changes the contacts table.
        if (event.kind === 'contact.import') {
          void utils.contactImport.byId.invalidate();
          void utils.contact.list.invalidate();
          void utils.contact.count.invalidate();
        }
        if (event.kind === 'message.created') announce(event.conversations);
        // Collaboration: notes in open threads, the bell (only its recipient gets a notification event),
        // who is available for round robin.
        if (event.kind.startsWith('note.')) {
          for (const conversationId of event.conversationIds)
            void utils.note.list.invalidate({ conversationId });
        }
        if (event.kind.startsWith('notification.')) void utils.notification.list.invalidate();
        // The open thread's activity timeline: workflow, assignment (round robin too) and labels.
        if (event.kind.startsWith('conversation.') && event.kind !== 'conversation.read') {
          for (const id of event.conversationIds) void utils.conversation.activity.invalidate({ id });
        }
        if (event.kind.startsWith('availability.')) void utils.autoAssign.availability.invalidate();
        if (event.kind.startsWith('campaign.')) campaignChanged();
        const messages = event.kind.startsWith('message.');
        const listMoved = event.conversations.length > 0 && patch(event.conversations);
        // A new message changes the list's preview even within the second of the last one (Meta's
        // timestamps are seconds, so lastMessageAt may not move): the events carry no content, so
        // refetch; so do workflow, label and read changes, which move conversations between filters,
        // tab counts and my unread badges.
        const listChanged =
          listMoved ||
          event.kind.startsWith('conversation.') ||
          event.kind === 'message.created' ||
          event.kind === 'label.changed' ||
          event.kind === 'contact.updated';
        schedule(listChanged, messages ? event.conversationIds : []);
      },
    },
  );
  const status = subscription.status;
  useEffect(() => {
    setLiveState(status === 'pending' ? 'live' : status === 'error' ? 'down' : 'connecting');
  }, [status]);
  // Ended by the server (signed out, removed) or refused: try again in a while, as a new subscription.
  const { reset } = subscription;
  useEffect(() => {
    if (status !== 'error') return;
    const timer = window.setTimeout(reset, 5_000);
    return () => window.clearTimeout(timer);
  }, [status, reset]);
  useEffect(() => () => setLiveState('connecting'), []);
  return <PresenceReporter />;
}

/** Keeps "(n) " ahead of the tab's title, whatever title the page sets meanwhile. */
function useUnreadTitle(unread: number) {
  useEffect(() => {
    const apply = () => {
      const next = titleWithUnread(document.title, unread);
      if (next !== document.title) document.title = next;
    };
    apply();
    const element = document.querySelector('title');
    if (!element) return;
    const observer = new MutationObserver(apply);
    observer.observe(element, { childList: true, characterData: true, subtree: true });
    return () => {
      observer.disconnect();
      document.title = titleWithUnread(document.title, 0);
    };
  }, [unread]);
}
