import { Kbd, Modal, Table, Text } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useState } from 'react';
import { useLocation, useNavigate } from 'react-router';
import { trpc } from '../../trpc.ts';
import { useMe } from '../session/session.ts';
import type { Conversation } from './types.ts';

/** The inbox's keyboard shortcuts, as the help dialog lists them. */
export const shortcuts: { keys: string[][]; does: string }[] = [
  { keys: [['j'], ['Alt', '↓']], does: 'Next conversation' },
  { keys: [['k'], ['Alt', '↑']], does: 'Previous conversation' },
  { keys: [['a']], does: 'Assign the conversation to me' },
  { keys: [['e']], does: 'Resolve the conversation' },
  { keys: [['r']], does: 'Write a reply (focus the composer)' },
  { keys: [['/']], does: 'Search conversations' },
  { keys: [['?']], does: 'Show these shortcuts' },
];

/**
 * Where "/" puts the cursor: the inbox's search box, whichever component draws it, marks itself with
 * this attribute (`<TextInput data-inbox-search … />`). Nothing happens while there is none.
 */
export const searchBoxSelector = '[data-inbox-search]';

/** The dialog listing the shortcuts ("?" in the inbox, or the user menu). */
export function ShortcutsHelp({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  return (
    <Modal opened={opened} onClose={onClose} title="Keyboard shortcuts" centered>
      <Table>
        <Table.Tbody>
          {shortcuts.map((shortcut) => (
            <Table.Tr key={shortcut.does}>
              <Table.Td>
                {shortcut.keys.map((combo, index) => (
                  <span key={combo.join('+')}>
                    {index > 0 && ' or '}
                    {combo.map((key, i) => (
                      <span key={key}>
                        {i > 0 && ' + '}
                        <Kbd>{key}</Kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </Table.Td>
              <Table.Td>{shortcut.does}</Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Text size="xs" c="dimmed" mt="sm">
        Shortcuts do nothing while you type in a text box.
      </Text>
    </Modal>
  );
}

/**
 * The inbox's keyboard shortcuts (Mantine's useHotkeys, which ignores keys typed into inputs, text
 * areas and selects): next/previous conversation, assign to me, resolve, focus the composer, search,
 * and "?" for the list of them.
 */
export function InboxShortcuts({
  conversations,
  open,
  canChange,
}: {
  /** The list's conversations in the order shown. */
  conversations: readonly Conversation[];
  /** The conversation open now, if any. */
  open: Conversation | undefined;
  /** Agents and above may assign and resolve. */
  canChange: boolean;
}) {
  const navigate = useNavigate();
  const location = useLocation();
  const utils = trpc.useUtils();
  const me = useMe().data?.user.id;
  const [help, setHelp] = useState(false);
  const settled = () => void utils.conversation.list.invalidate();
  const assign = trpc.conversation.assign.useMutation({ onSettled: settled });
  const setStatus = trpc.conversation.setStatus.useMutation({ onSettled: settled });

  const step = (by: 1 | -1) => {
    const index = open ? conversations.findIndex((c) => c.id === open.id) : -1;
    const next = index < 0 ? conversations[0] : conversations[index + by];
    // Replacing the entry: "back" still leads to where the agent came from, not through each step.
    if (next) void navigate(`/inbox/${next.id}`, { replace: true, state: location.state as unknown });
  };
  const focus = (selector: string) => document.querySelector<HTMLElement>(selector)?.focus();

  useHotkeys([
    ['j', () => step(1)],
    ['alt+ArrowDown', () => step(1)],
    ['k', () => step(-1)],
    ['alt+ArrowUp', () => step(-1)],
    [
      'a',
      () => {
        if (open && canChange && me && open.assignedUserId !== me) {
          assign.mutate({ id: open.id, version: open.version, userId: me, teamId: null });
        }
      },
    ],
    [
      'e',
      () => {
        if (open && canChange && open.status !== 'resolved') {
          setStatus.mutate({ id: open.id, version: open.version, status: 'resolved' });
        }
      },
    ],
    ['r', () => focus('[data-testid="composer"] textarea')],
    ['/', () => focus(searchBoxSelector)],
    ['shift+?', () => setHelp(true)],
    ['?', () => setHelp(true)],
  ]);
  const error = assign.error ?? setStatus.error;
  return (
    <>
      <ShortcutsHelp opened={help} onClose={() => setHelp(false)} />
      {error && (
        <Text size="xs" c="red" role="alert">
          {error.message}
        </Text>
      )}
    </>
  );
}
