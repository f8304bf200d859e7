import { useEffect, useRef } from 'react';
import { can } from '../../../components/roles.ts';
import { trpc } from '../../../trpc.ts';
import { useRole } from '../../session/session.ts';
import { usePollWhileOffline } from '../../realtime/live.ts';
import { nextCursor, pageSize, type Conversation } from '../types.ts';

/**
 * Marks the open conversation read for me (read state is per member) through the newest message the
 * thread shows: when it opens with unread messages, and again when new ones arrive while it is open.
 * The thread's query (same input and options) supplies the newest message; the server keeps the
 * position from moving back and tells the customer's phone when I am the first to read.
 */
export function useMarkRead(conversation: Conversation | undefined) {
  const role = useRole();
  const utils = trpc.useUtils();
  const conversationId = conversation?.id ?? '';
  const messages = trpc.message.list.useInfiniteQuery(
    { conversationId, limit: pageSize },
    { getNextPageParam: nextCursor, refetchInterval: usePollWhileOffline(), enabled: Boolean(conversation) },
  );
  const newest = messages.data?.pages[0]?.[0]?.id;
  const markRead = trpc.conversation.markRead.useMutation({
    onSuccess: () => {
      void utils.conversation.list.invalidate();
      void utils.conversation.counts.invalidate();
      void utils.conversation.byId.invalidate({ id: conversationId });
    },
  });
  const marked = useRef<string | null>(null);
  const { mutate } = markRead;
  const unread = conversation?.unreadCount ?? 0;
  useEffect(() => {
    if (!conversation || !newest || unread === 0 || !can(role, 'agent')) return;
    const key = `${conversation.id}:${newest}`;
    if (marked.current === key) return;
    marked.current = key;
    mutate({ id: conversation.id, throughMessageId: newest });
  }, [conversation, newest, unread, role, mutate]);
}
