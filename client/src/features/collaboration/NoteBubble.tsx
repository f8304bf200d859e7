import { Group, Paper, Stack, Text } from '@mantine/core';
import { noteSegments } from '../../../../server/domains/notes/mentions.ts';
import type { RouterOutputs } from '../../trpc.ts';

export type Note = RouterOutputs['note']['list'][number];

/** A note's text with its mentions drawn as "@Name" (highlighted). */
export function NoteText({ body, mentions }: { body: string; mentions: Note['mentions'] }) {
  const names = new Map(mentions.map((member) => [member.id, member.name]));
  return (
    <>
      {noteSegments(body, (id) => names.get(id) ?? null).map((segment, index) =>
        'text' in segment ? (
          <span key={index}>{segment.text}</span>
        ) : (
          <Text key={index} span fw={600} c="var(--mantine-color-anchor)" data-testid="mention">
            @{segment.name ?? 'former member'}
          </Text>
        ),
      )}
    </>
  );
}

/**
 * An internal note in the thread: on the team's side, in the note colour with a dashed border and a
 * label, so it is never mistaken for something the customer saw.
 */
export function NoteBubble({ note }: { note: Note }) {
  return (
    <Group justify="flex-end" wrap="nowrap">
      <Stack gap={2} maw="80%" miw={0} align="flex-end">
        <Paper
          p="xs"
          radius="md"
          bg="var(--mantine-color-yellow-light)"
          style={{ border: '1px dashed var(--mantine-color-yellow-outline)' }}
          data-testid="note"
          maw="100%"
          miw={0}
        >
          <Text size="xs" fw={600} c="var(--mantine-color-yellow-light-color)" mb={2}>
            Internal note · {note.author?.name ?? 'former member'}
          </Text>
          <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
            <NoteText body={note.body} mentions={note.mentions} />
          </Text>
          <Text size="xs" c="dimmed" ta="right" mt={2}>
            {new Date(note.createdAt).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}
          </Text>
        </Paper>
      </Stack>
    </Group>
  );
}
