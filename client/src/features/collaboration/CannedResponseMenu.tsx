import type { KeyboardEvent } from 'react';
import {
  fillPlaceholders,
  type PlaceholderValues,
} from '../../../../server/domains/cannedResponses/placeholders.ts';
import { trpc } from '../../trpc.ts';
import { useSuggestionMenu } from './SuggestionMenu.tsx';
import { useTokenMenu } from './useTokenMenu.ts';

/**
 * "/" in a text box: the workspace's canned responses whose shortcut starts with (or contains) what
 * follows, newest match first by shortcut; picking one inserts its text with the placeholders filled
 * from the conversation. Spread `textarea` on the text box, call `onKeyDown` first in its key handler
 * and render `menu` above it.
 */
export function useCannedResponseMenu(
  text: string,
  setText: (text: string) => void,
  values: PlaceholderValues,
) {
  const token = useTokenMenu(text, setText, '/');
  const canned = trpc.cannedResponse.list.useQuery(undefined, { enabled: token.open, staleTime: 30_000 });
  const query = token.query.toLowerCase();
  const items = (canned.data ?? [])
    .filter((response) => response.shortcut.includes(query))
    .sort((a, b) => Number(!a.shortcut.startsWith(query)) - Number(!b.shortcut.startsWith(query)))
    .slice(0, 8)
    .map((response) => ({
      key: response.id,
      label: `/${response.shortcut}`,
      detail: fillPlaceholders(response.body, values),
      body: response.body,
    }));
  const menu = useSuggestionMenu({
    open: token.open,
    items,
    label: 'Canned responses',
    onPick: (item) => token.insert(fillPlaceholders(item.body, values)),
    onClose: token.close,
  });
  return {
    textarea: { ref: token.ref, onSelect: token.onSelect },
    onKeyDown: (event: KeyboardEvent) => menu.onKeyDown(event),
    menu: menu.menu,
  };
}
