import { Alert, Button, Group, Paper, Stack, Text, Textarea, UnstyledButton } from '@mantine/core';
import { useState } from 'react';
import { noteSegments, notePlainText } from '../../../../server/domains/notes/mentions.ts';
import { formError } from '../../components/errors.ts';
import { can } from '../../components/roles.ts';
import { trpc, type RouterOutputs } from '../../trpc.ts';
import { useMe, useRole } from '../session/session.ts';
import { withMentionTokens } from './tokens.ts';

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

const time = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });

/**
 * The note's text in an editor: mentions shown as "@Name" and turned back into mentions on save
 * (a newly mentioned member is notified). Enter saves, Escape cancels.
 */
function NoteEditor({ note, onDone }: { note: Note; onDone: () => void }) {
  const utils = trpc.useUtils();
  const members = trpc.member.list.useQuery();
  const names = new Map(note.mentions.map((member) => [member.id, member.name]));
  const [text, setText] = useState(() => notePlainText(note.body, (id) => names.get(id) ?? null));
  const update = trpc.note.update.useMutation({
    onSuccess: () => {
      void utils.note.list.invalidate({ conversationId: note.conversationId });
      onDone();
    },
  });
  const save = () => {
    if (!text.trim() || update.isPending) return;
    const mentionable = (members.data ?? [])
      .filter((member) => member.role !== 'viewer')
      .map((member) => ({ id: member.userId, name: member.displayName }));
    update.mutate({ id: note.id, body: withMentionTokens(text, mentionable) });
  };
  const problem = formError(update.error);
  return (
    <Stack gap={4}>
      {problem && <Alert color="red">{problem}</Alert>}
      <Textarea
        aria-label="Edit note"
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onDone();
          if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
            event.preventDefault();
            save();
          }
        }}
        autosize
        minRows={1}
        maxRows={6}
        autoFocus
      />
      <Group gap="xs" justify="flex-end">
        <Button size="compact-xs" variant="default" onClick={onDone}>
          Cancel
        </Button>
        <Button size="compact-xs" color="yellow" onClick={save} loading={update.isPending}>
          Save
        </Button>
      </Group>
    </Stack>
  );
}

/**
 * An internal note in the thread: on the team's side, in the note colour with a dashed border and a
 * label, so it is never mistaken for something the customer saw. Its author (or an admin) edits or
 * deletes it; the team sees the change live.
 */
export function NoteBubble({ note }: { note: Note }) {
  const me = useMe().data?.user.id;
  const role = useRole();
  const utils = trpc.useUtils();
  const [editing, setEditing] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const remove = trpc.note.delete.useMutation({
    onSuccess: () => void utils.note.list.invalidate({ conversationId: note.conversationId }),
  });
  const mayChange = can(role, 'admin') || (note.author !== null && note.author.id === me);
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
          miw={editing ? 280 : 0}
        >
          <Text size="xs" fw={600} c="var(--mantine-color-yellow-light-color)" mb={2}>
            Internal note · {note.author?.name ?? 'former member'}
          </Text>
          {editing ? (
            <NoteEditor note={note} onDone={() => setEditing(false)} />
          ) : (
            <Text size="sm" style={{ whiteSpace: 'pre-wrap', overflowWrap: 'anywhere' }}>
              <NoteText body={note.body} mentions={note.mentions} />
            </Text>
          )}
          {remove.error && (
            <Text size="xs" c="red">
              {remove.error.message}
            </Text>
          )}
          <Group gap={8} justify="flex-end" mt={2}>
            {mayChange && !editing && !confirming && (
              <>
                <UnstyledButton fz="xs" c="dimmed" onClick={() => setEditing(true)}>
                  Edit
                </UnstyledButton>
                <UnstyledButton fz="xs" c="dimmed" onClick={() => setConfirming(true)}>
                  Delete
                </UnstyledButton>
              </>
            )}
            {confirming && (
              <>
                <Text size="xs">Delete this note?</Text>
                <UnstyledButton fz="xs" c="dimmed" onClick={() => setConfirming(false)}>
                  Keep
                </UnstyledButton>
                <UnstyledButton
                  fz="xs"
                  c="red"
                  fw={600}
                  onClick={() => remove.mutate({ id: note.id })}
                  disabled={remove.isPending}
                >
                  Delete
                </UnstyledButton>
              </>
            )}
            <Text
              size="xs"
              c="dimmed"
              title={note.editedAt ? `Edited ${new Date(note.editedAt).toLocaleString()}` : undefined}
            >
              {note.editedAt ? `edited · ${time(note.createdAt)}` : time(note.createdAt)}
            </Text>
          </Group>
        </Paper>
      </Stack>
    </Group>
  );
}
