import { Alert, Button, Group, Stack, Text, Textarea } from '@mantine/core';
import { useState } from 'react';
import { maxNoteLength } from '../../../../server/domains/notes/schemas.ts';
import { formError } from '../../components/errors.ts';
import { trpc } from '../../trpc.ts';
import { useSuggestionMenu } from './SuggestionMenu.tsx';
import { withMentionTokens } from './tokens.ts';
import { useTokenMenu } from './useTokenMenu.ts';

/**
 * The internal-note editor: plain text seen only by the team, never sent to WhatsApp. "@" suggests
 * the members who answer conversations; "@Name" becomes a mention (stored as the member's id) and
 * notifies them. Enter saves, Shift+Enter starts a new line.
 */
export function NotesComposer({ conversationId }: { conversationId: string }) {
  const utils = trpc.useUtils();
  const [text, setText] = useState('');
  const members = trpc.member.list.useQuery();
  const mentionable = (members.data ?? [])
    .filter((member) => member.role !== 'viewer')
    .map((member) => ({ id: member.userId, name: member.displayName }));
  const token = useTokenMenu(text, setText, '@');
  const query = token.query.toLowerCase();
  const items = mentionable
    .filter((member) => member.name.toLowerCase().includes(query))
    .slice(0, 8)
    .map((member) => ({ key: member.id, label: member.name, name: member.name }));
  const menu = useSuggestionMenu({
    open: token.open,
    items,
    label: 'Mention a teammate',
    onPick: (item) => token.insert(`@${item.name} `),
    onClose: token.close,
  });
  const create = trpc.note.create.useMutation({
    onSuccess: () => {
      setText('');
      void utils.note.list.invalidate({ conversationId });
    },
  });
  const submit = () => {
    if (!text.trim() || create.isPending) return;
    create.mutate({ conversationId, body: withMentionTokens(text, mentionable) });
  };
  const problem = formError(create.error);
  return (
    <Stack gap={4} data-testid="notes-composer">
      {problem && <Alert color="red">{problem}</Alert>}
      {menu.menu}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        <Group align="flex-end" wrap="nowrap" gap="xs">
          <Textarea
            ref={token.ref}
            onSelect={token.onSelect}
            flex={1}
            miw={0}
            aria-label="Internal note"
            placeholder="Note for the team (not sent to the customer); @ to mention"
            value={text}
            onChange={(event) => setText(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (menu.onKeyDown(event)) return;
              if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
                event.preventDefault();
                submit();
              }
            }}
            autosize
            minRows={1}
            maxRows={6}
            styles={{ input: { background: 'var(--mantine-color-yellow-light)' } }}
          />
          <Button type="submit" color="yellow" variant="light" loading={create.isPending}>
            Add note
          </Button>
        </Group>
      </form>
      <Text size="xs" c={text.length > maxNoteLength ? 'red' : 'dimmed'} ta="right">
        Only your team sees notes · {text.length.toLocaleString('en')} / {maxNoteLength.toLocaleString('en')}
      </Text>
    </Stack>
  );
}
