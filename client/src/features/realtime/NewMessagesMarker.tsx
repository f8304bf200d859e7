import { Button } from '@mantine/core';
import { useEffect, useState, type RefObject } from 'react';

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

/** "2 new messages ↓" over the bottom of the thread; scrolls down when clicked. */
export function NewMessagesMarker({ count, onClick }: { count: number; onClick: () => void }) {
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
