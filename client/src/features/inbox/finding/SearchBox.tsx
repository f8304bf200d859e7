import {
  CloseButton,
  Highlight,
  Paper,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  UnstyledButton,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useEffect, useState } from 'react';
import { Link } from 'react-router';
import { QueryState } from '../../../components/DataTable.tsx';
import { trpc, type RouterOutputs } from '../../../trpc.ts';
import { contactName } from '../types.ts';
import { useInboxFilters } from './useInboxFilters.ts';

type Hit = RouterOutputs['conversation']['search']['contacts'][number];

/** The search box above the list: what is typed goes to the address (?q=…) once typing pauses. */
export function SearchBox() {
  const { query, set } = useInboxFilters();
  const [typed, setTyped] = useState(query);
  const [settled] = useDebouncedValue(typed, 250);
  useEffect(() => setTyped(query), [query]);
  useEffect(() => {
    if (settled.trim() !== query) set('q', settled.trim() || null);
    // Only the typing moves the address; the address moving updates the box above.
  }, [settled]);
  return (
    <TextInput
      size="xs"
      type="search"
      placeholder="Search messages, names, numbers"
      aria-label="Search conversations"
      value={typed}
      onChange={(event) => setTyped(event.currentTarget.value)}
      onKeyDown={(event) => {
        if (event.key === 'Escape') setTyped('');
      }}
      rightSection={
        typed ? <CloseButton size="sm" aria-label="Clear search" onClick={() => setTyped('')} /> : null
      }
      // "/" puts the cursor here (InboxShortcuts).
      data-inbox-search
      data-testid="search"
    />
  );
}

/** The words of the search, for highlighting them in the results. */
const wordsOf = (query: string) => query.match(/[\p{L}\p{N}]+/gu) ?? [];

function HitLink({ hit, search, children }: { hit: Hit; search: string; children: React.ReactNode }) {
  return (
    <UnstyledButton
      component={Link}
      to={{ pathname: `/inbox/${hit.id}`, search }}
      state={{ fromList: true }}
      data-testid="search-hit"
    >
      <Paper p="sm" withBorder>
        {children}
      </Paper>
    </UnstyledButton>
  );
}

/**
 * What the search found: contacts whose name or number matched, then the newest messages with the
 * words (their text, words highlighted). Each opens its conversation; the search stays in the address.
 */
export function SearchResults() {
  const { query, search } = useInboxFilters();
  const results = trpc.conversation.search.useQuery({ query }, { enabled: query.length >= 2 });
  const words = wordsOf(query);
  if (query.length < 2) {
    return (
      <Text size="sm" c="dimmed">
        Type at least 2 characters.
      </Text>
    );
  }
  const contacts = results.data?.contacts ?? [];
  const messages = results.data?.messages ?? [];
  return (
    <QueryState
      query={results}
      isEmpty={contacts.length === 0 && messages.length === 0}
      empty={`Nothing found for “${query}”.`}
    >
      <ScrollArea flex={1} mih={0} type="auto">
        <Stack gap={4}>
          {contacts.length > 0 && (
            <Text size="xs" fw={600} c="dimmed" tt="uppercase">
              Contacts
            </Text>
          )}
          {contacts.map((hit) => (
            <HitLink key={`c-${hit.id}`} hit={hit} search={search}>
              <Highlight highlight={words} fw={600} size="sm" truncate>
                {contactName(hit)}
              </Highlight>
              {hit.contact.waId && (
                <Highlight highlight={query.replace(/\D/g, '') || words} size="xs" c="dimmed">
                  {`+${hit.contact.waId}`}
                </Highlight>
              )}
            </HitLink>
          ))}
          {messages.length > 0 && (
            <Text size="xs" fw={600} c="dimmed" tt="uppercase">
              Messages
            </Text>
          )}
          {messages.map((hit) => (
            <HitLink key={`m-${hit.messageId}`} hit={hit} search={search}>
              <Text fw={600} size="sm" truncate>
                {contactName(hit)}
              </Text>
              <Highlight highlight={words} size="xs" lineClamp={2}>
                {hit.snippet}
              </Highlight>
            </HitLink>
          ))}
        </Stack>
      </ScrollArea>
    </QueryState>
  );
}
