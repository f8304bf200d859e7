import { Paper, Stack, Text, UnstyledButton } from '@mantine/core';
import { useEffect, useState, type KeyboardEvent, type ReactNode } from 'react';

export interface Suggestion {
  key: string;
  label: ReactNode;
  detail?: ReactNode;
}

/**
 * A list of suggestions shown above a text box while a "/" or "@" word is typed: arrows move, Enter
 * (or Tab) picks, Escape closes. The text box keeps the focus; it passes its key presses to
 * `onKeyDown`, which says whether it took them.
 */
export function useSuggestionMenu<T extends Suggestion>({
  open,
  items,
  onPick,
  onClose,
  label,
}: {
  open: boolean;
  items: readonly T[];
  onPick: (item: T) => void;
  onClose: () => void;
  label: string;
}) {
  const [active, setActive] = useState(0);
  const count = items.length;
  useEffect(() => setActive(0), [open, count]);
  const shown = open && count > 0;
  const onKeyDown = (event: KeyboardEvent): boolean => {
    if (!shown) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => (index + (event.key === 'ArrowDown' ? 1 : count - 1)) % count);
      return true;
    }
    if ((event.key === 'Enter' && !event.shiftKey) || event.key === 'Tab') {
      event.preventDefault();
      const item = items[Math.min(active, count - 1)];
      if (item) onPick(item);
      return true;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return true;
    }
    return false;
  };
  const menu = shown ? (
    <Paper
      withBorder
      shadow="sm"
      p={4}
      role="listbox"
      aria-label={label}
      mah={220}
      style={{ overflowY: 'auto' }}
    >
      <Stack gap={0}>
        {items.map((item, index) => (
          <UnstyledButton
            key={item.key}
            role="option"
            aria-selected={index === active}
            px="xs"
            py={4}
            style={{
              borderRadius: 'var(--mantine-radius-sm)',
              background: index === active ? 'var(--mantine-color-default-hover)' : undefined,
            }}
            // Keeps the text box focused (a mouse down would blur it before the click).
            onMouseDown={(event) => event.preventDefault()}
            onMouseEnter={() => setActive(index)}
            onClick={() => onPick(item)}
          >
            <Text size="sm" fw={500} truncate>
              {item.label}
            </Text>
            {item.detail && (
              <Text size="xs" c="dimmed" truncate>
                {item.detail}
              </Text>
            )}
          </UnstyledButton>
        ))}
      </Stack>
    </Paper>
  ) : null;
  return { menu, onKeyDown };
}
