import { Button } from '@mantine/core';
import { useEffect, useLayoutEffect, useRef, useState, type RefObject } from 'react';

/** How close to the bottom still counts as "reading the newest" (new messages then scroll into view). */
const stickyPx = 80;

/**
 * Customer messages that arrived below the part of the thread being read: the newest message seen at
 * the bottom is remembered, and inbound ones after it are counted until the reader is back down.
 */
export function useUnseenBelow(
  ordered: readonly { id: string; direction: string }[],
  atBottom: RefObject<boolean>,
): { count: number; seen: () => void } {
  const newestId = ordered.at(-1)?.id;
  const [seenNewest, setSeenNewest] = useState(newestId);
  useEffect(() => {
    if (atBottom.current || seenNewest === undefined) setSeenNewest(newestId);
  }, [newestId, atBottom, seenNewest]);
  const from = ordered.findIndex((message) => message.id === seenNewest);
  const count =
    from < 0 ? 0 : ordered.slice(from + 1).filter((message) => message.direction === 'inbound').length;
  return { count, seen: () => setSeenNewest(newestId) };
}

/**
 * A thread's scrolling with live inserts: it opens at the newest message; a message that arrives
 * while the reader is at the bottom scrolls into view, one that arrives while they read further up
 * does not move what they read (it is counted for the pill instead); loading older messages above
 * keeps the reader's place.
 */
export function useFollowNewest(ordered: readonly { id: string; direction: string }[]) {
  const viewport = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const keepFromBottom = useRef<number | null>(null);
  const newestId = ordered.at(-1)?.id;
  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    if (keepFromBottom.current !== null) {
      element.scrollTop = element.scrollHeight - keepFromBottom.current;
      keepFromBottom.current = null;
    } else if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  }, [ordered.length, newestId]);
  const unseen = useUnseenBelow(ordered, atBottom);
  return {
    viewport,
    /** Messages below the reader, for the pill. */
    unseen: unseen.count,
    /** The viewport scrolled (ScrollArea's onScrollPositionChange). */
    onScroll: () => {
      const element = viewport.current;
      if (element) {
        atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < stickyPx;
      }
      if (atBottom.current) unseen.seen();
    },
    /** Call before older messages are added above: the reader stays where they are. */
    keepPlace: () => {
      const element = viewport.current;
      if (element) keepFromBottom.current = element.scrollHeight - element.scrollTop;
    },
    scrollToNewest: () => {
      const element = viewport.current;
      element?.scrollTo({ top: element.scrollHeight, behavior: 'smooth' });
    },
  };
}

/** "2 new messages ↓" over the bottom of the thread; scrolls down when clicked. */
export function NewMessagesPill({ count, onClick }: { count: number; onClick: () => void }) {
  if (count === 0) return null;
  return (
    <Button
      size="xs"
      radius="xl"
      pos="absolute"
      bottom={8}
      left="50%"
      style={{ transform: 'translateX(-50%)', zIndex: 1 }}
      onClick={onClick}
      data-testid="new-messages"
    >
      {count === 1 ? '1 new message' : `${count} new messages`} ↓
    </Button>
  );
}
