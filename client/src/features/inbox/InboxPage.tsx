import {
  Alert,
  Anchor,
  Badge,
  Box,
  Button,
  Center,
  Group,
  Paper,
  ScrollArea,
  Stack,
  Text,
  UnstyledButton,
} from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { Link, useLocation, useNavigate, useParams, useSearchParams } from 'react-router';
import { QueryState } from '../../components/DataTable.tsx';
import { PageHeader, useDocumentTitle } from '../../components/PageHeader.tsx';
import { can } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';
import { CustomerPanel, CustomerPanelDrawer } from '../sandbox/CustomerPanel.tsx';
import { useRole } from '../session/session.ts';
import { Thread } from './Thread.tsx';
import { ContactColumn, ContactPanel } from './ContactPanel.tsx';
import { InboxShortcuts } from './InboxShortcuts.tsx';
import { usePollWhileOffline } from '../realtime/live.ts';
import { useEffect, useRef } from 'react';
import { contactName, nextConversationCursor, pageSize, uniqueById, type Conversation } from './types.ts';
import { ConversationFilters } from './finding/ConversationFilters.tsx';
import { SearchBox, SearchResults } from './finding/SearchBox.tsx';
import { useInboxFilters, type InboxFilters } from './finding/useInboxFilters.ts';
import { useMarkRead } from './finding/useMarkRead.ts';
import { badgeCount } from './finding/badgeCount.ts';

/** The page fills the screen below the header; lists and the thread scroll inside it. */
const pageHeight = 'calc(100dvh - var(--app-shell-header-height, 56px) - 2 * var(--mantine-spacing-md))';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Marks that a conversation was opened from the list, so "back" can return to it through history. */
interface FromList {
  fromList?: boolean;
}

function useConversations(filters: InboxFilters) {
  return trpc.conversation.list.useInfiniteQuery(
    { ...filters, limit: pageSize },
    { getNextPageParam: nextConversationCursor, refetchInterval: usePollWhileOffline() },
  );
}

/** The labels a listed conversation carries, as small coloured badges. */
function LabelDots({ labelIds }: { labelIds: readonly string[] }) {
  const labels = trpc.label.list.useQuery(undefined, { enabled: labelIds.length > 0 });
  const carried = (labels.data ?? []).filter((label) => labelIds.includes(label.id));
  if (carried.length === 0) return null;
  return (
    <Group gap={4} wrap="nowrap" mt={2}>
      {carried.map((label) => (
        <Badge key={label.id} color={label.color} variant="light" size="xs" maw={100}>
          {label.name}
        </Badge>
      ))}
    </Group>
  );
}

function ConversationList({
  conversations,
  selected,
}: {
  conversations: ReturnType<typeof useConversations>;
  selected: string | undefined;
}) {
  const items = uniqueById(conversations.data?.pages);
  const { query, search, filters } = useInboxFilters();
  const more = () => {
    if (conversations.hasNextPage && !conversations.isFetchingNextPage) void conversations.fetchNextPage();
  };
  const filtered = Object.keys(filters).some((key) => key !== 'status');
  return (
    <Stack gap={6} h="100%" miw={0}>
      <PageHeader title="Inbox" />
      <SearchBox />
      {query ? (
        <SearchResults />
      ) : (
        <>
          <ConversationFilters />
          <QueryState
            query={conversations}
            isEmpty={items.length === 0}
            empty={
              filtered
                ? 'No conversations match these filters.'
                : "No conversations here. Connect a channel, then customers' messages appear here."
            }
          >
            <ScrollArea flex={1} mih={0} type="auto" onBottomReached={more}>
              <Stack gap={4}>
                {items.map((conversation) => (
                  // A link, so a conversation opens in a new tab or is copied like any page.
                  <UnstyledButton
                    key={conversation.id}
                    component={Link}
                    to={{ pathname: `/inbox/${conversation.id}`, search }}
                    state={{ fromList: true } satisfies FromList}
                    data-testid="conversation"
                    aria-current={conversation.id === selected ? 'page' : undefined}
                  >
                    <Paper
                      p="sm"
                      withBorder
                      bg={conversation.id === selected ? 'var(--mantine-color-default-hover)' : undefined}
                    >
                      <Group justify="space-between" wrap="nowrap">
                        <Text fw={600} size="sm" truncate>
                          {contactName(conversation)}
                        </Text>
                        {conversation.unreadCount > 0 && (
                          <Badge
                            size="sm"
                            aria-label={`${conversation.unreadCount} unread`}
                            data-testid="unread"
                          >
                            {badgeCount(conversation.unreadCount)}
                          </Badge>
                        )}
                      </Group>
                      <Text size="xs" c="dimmed" truncate>
                        {conversation.lastMessagePreview}
                      </Text>
                      <LabelDots labelIds={conversation.labelIds} />
                    </Paper>
                  </UnstyledButton>
                ))}
                {conversations.hasNextPage && (
                  <Center>
                    <Button
                      variant="subtle"
                      size="xs"
                      onClick={more}
                      loading={conversations.isFetchingNextPage}
                    >
                      Load more conversations
                    </Button>
                  </Center>
                )}
              </Stack>
            </ScrollArea>
          </QueryState>
        </>
      )}
    </Stack>
  );
}

/**
 * The conversation at /inbox/:conversationId: from the list's pages when it is there, else on its own
 * (conversation.byId: a deep link, a search result, or one outside the current filters), so a link to
 * an older one opens at once without paging the list.
 */
function useOpenConversation(conversations: ReturnType<typeof useConversations>, id: string | undefined) {
  const inList = id ? uniqueById(conversations.data?.pages).find((c) => c.id === id) : undefined;
  const valid = id !== undefined && uuid.test(id);
  const single = trpc.conversation.byId.useQuery(
    { id: id ?? '' },
    {
      enabled: valid && !inList && !conversations.isPending,
      refetchInterval: usePollWhileOffline(),
      retry: (failures, error) => error.data?.code !== 'NOT_FOUND' && failures < 3,
    },
  );
  // One that leaves the list while open (resolved under the Open tab) stays shown while it loads alone.
  const last = useRef<Conversation | undefined>(undefined);
  const found =
    inList ?? single.data ?? (last.current?.id === id && !single.error ? last.current : undefined);
  useEffect(() => {
    last.current = found;
  }, [found]);
  const missing = !valid || (!found && single.error?.data?.code === 'NOT_FOUND');
  return { conversation: found, missing, query: single };
}

function Missing() {
  return (
    <Alert color="yellow" title="No such conversation" data-testid="conversation-missing">
      This workspace has no conversation at this address.{' '}
      <Anchor component={Link} to="/inbox">
        Back to the inbox
      </Anchor>
    </Alert>
  );
}

/**
 * /inbox: conversations (most recent first) | the one at /inbox/:conversationId | its contact panel
 * (collapsible); on a phone, the list, the thread or the contact panel (?panel=contact), each with a
 * back button.
 */
export function InboxPage() {
  const { conversationId } = useParams();
  const location = useLocation();
  const navigate = useNavigate();
  const role = useRole();
  const phone = useMediaQuery('(max-width: 47.99em)');
  const { filters, search } = useInboxFilters();
  const conversations = useConversations(filters);
  const open = useOpenConversation(conversations, conversationId);
  const { conversation } = open;
  const [params] = useSearchParams();
  const contactScreen = phone && params.get('panel') === 'contact';
  useMarkRead(conversation);
  useDocumentTitle(conversation ? contactName(conversation) : 'Inbox');
  // Back through history when the list is where we came from, so the list keeps its place.
  const back = () =>
    (location.state as FromList | null)?.fromList
      ? void navigate(-1)
      : void navigate({ pathname: '/inbox', search }, { replace: true });

  // Phones: the contact panel is a screen above the thread; back returns to it.
  const showContact = () =>
    void navigate(
      { search: new URLSearchParams([...params, ['panel', 'contact']]).toString() },
      { state: { ...(location.state as object | null), fromThread: true } },
    );
  const backToThread = () =>
    (location.state as { fromThread?: boolean } | null)?.fromThread
      ? void navigate(-1)
      : void navigate({ pathname: location.pathname, search }, { replace: true });

  const list = (
    <>
      <InboxShortcuts
        conversations={uniqueById(conversations.data?.pages)}
        open={conversation}
        canChange={can(role, 'agent')}
      />
      <ConversationList conversations={conversations} selected={conversationId} />
    </>
  );
  const thread = conversation ? (
    <Thread
      key={conversation.id}
      conversation={conversation}
      role={role}
      onBack={phone ? back : undefined}
      onShowContact={phone ? showContact : undefined}
    />
  ) : conversationId && open.missing ? (
    <Missing />
  ) : conversationId ? (
    <QueryState query={open.query} isEmpty={false} empty={null}>
      <Text c="dimmed">Finding the conversation…</Text>
    </QueryState>
  ) : (
    <Text c="dimmed">Choose a conversation.</Text>
  );
  if (contactScreen && conversation) {
    return (
      <Box h={pageHeight}>
        <ContactPanel
          contactId={conversation.contact.id}
          conversationId={conversation.id}
          onBack={backToThread}
        />
      </Box>
    );
  }
  if (phone && conversation) {
    return (
      <Stack h={pageHeight} gap="xs">
        <Box flex={1} mih={0}>
          {thread}
        </Box>
        <CustomerPanelDrawer
          phoneNumberId={conversation.phoneNumberId}
          waId={conversation.contact.waId}
          name={conversation.contact.name}
        />
      </Stack>
    );
  }
  if (phone) return <Box h={pageHeight}>{conversationId ? thread : list}</Box>;
  return (
    <Group align="stretch" gap="md" wrap="nowrap" h={pageHeight}>
      <Box w={320} miw={260}>
        {list}
      </Box>
      <Box flex={1} miw={0}>
        {thread}
      </Box>
      {conversation && (
        <ContactColumn
          key={conversation.contact.id}
          contactId={conversation.contact.id}
          conversationId={conversation.id}
        />
      )}
      {conversation && (
        <CustomerPanel
          phoneNumberId={conversation.phoneNumberId}
          waId={conversation.contact.waId}
          name={conversation.contact.name}
        />
      )}
    </Group>
  );
}
