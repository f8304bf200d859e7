import { SegmentedControl, Stack } from '@mantine/core';
import { useEffect, useState, type ReactNode } from 'react';
import { NotesComposer } from './NotesComposer.tsx';

/** The composer's "Reply / Note" switch: a reply goes to the customer, a note only to the team. */
export function ReplyOrNote({ conversationId, reply }: { conversationId: string; reply: ReactNode }) {
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  useEffect(() => setMode('reply'), [conversationId]);
  return (
    <Stack gap={4}>
      <SegmentedControl
        size="xs"
        w="fit-content"
        aria-label="Reply to the customer or write an internal note"
        data={[
          { value: 'reply', label: 'Reply' },
          { value: 'note', label: 'Note' },
        ]}
        value={mode}
        onChange={(value) => setMode(value === 'note' ? 'note' : 'reply')}
        color={mode === 'note' ? 'yellow' : undefined}
      />
      {mode === 'reply' ? reply : <NotesComposer conversationId={conversationId} />}
    </Stack>
  );
}
