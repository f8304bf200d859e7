import { useRef, useState, type SyntheticEvent } from 'react';
import { activeToken, replaceToken } from './tokens.ts';

/**
 * Follows the caret of a text box for a "/" or "@" word being typed (activeToken) and replaces it
 * when a suggestion is picked. Escape hides the menu for that word until another is started.
 */
export function useTokenMenu(text: string, setText: (text: string) => void, trigger: '@' | '/') {
  const ref = useRef<HTMLTextAreaElement>(null);
  const [caret, setCaret] = useState<number | null>(null);
  const [dismissed, setDismissed] = useState<number | null>(null);
  // The caret as the text box has it when it shows this text (typing moved it); else the last known.
  const element = ref.current;
  const live = element && element.value === text ? element.selectionStart : null;
  const at = Math.min(live ?? caret ?? text.length, text.length);
  const token = activeToken(text, at, trigger);
  const open = token !== null && token.start !== dismissed;
  const onSelect = (event: SyntheticEvent<HTMLTextAreaElement>) =>
    setCaret(event.currentTarget.selectionStart);
  const insert = (value: string) => {
    if (!token) return;
    const next = replaceToken(text, token.start, at, value);
    setText(next.text);
    setCaret(next.caret);
    requestAnimationFrame(() => {
      const element = ref.current;
      if (!element) return;
      element.focus();
      element.setSelectionRange(next.caret, next.caret);
    });
  };
  return {
    ref,
    onSelect,
    open,
    query: token?.query ?? '',
    insert,
    close: () => setDismissed(token?.start ?? null),
  };
}
