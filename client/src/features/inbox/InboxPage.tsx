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
import { useEffect, useRef } from 'react';
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
import { contactName, nextCursor, pageSize, uniqueById, type Conversation } from './types.ts';

/** The page fills the screen below the header; lists and the thread scroll inside it. */
const pageHeight = 'calc(100dvh - var(--app-shell-header-height, 56px) - 2 * var(--mantine-spacing-md))';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Marks that a conversation was opened from the list, so "back" can return to it through history. */
interface FromList {
  fromList?: boolean;
}

function useConversations() {
  return trpc.conversation.list.useInfiniteQuery(
    { limit: pageSize },
    { getNextPageParam: nextCursor, refetchInterval: usePollWhileOffline() },
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
  const more = () => {
    if (conversations.hasNextPage && !conversations.isFetchingNextPage) void conversations.fetchNextPage();
  };
  return (
    <Stack gap={4} h="100%" miw={0}>
      <PageHeader title="Inbox" />
      <QueryState
        query={conversations}
        isEmpty={items.length === 0}
        empty="No conversations yet. Connect a channel, then customers' messages appear here."
      >
        <ScrollArea flex={1} mih={0} type="auto" onBottomReached={more}>
          <Stack gap={4}>
            {items.map((conversation) => (
              // A link, so a conversation opens in a new tab or is copied like any page.
              <UnstyledButton
                key={conversation.id}
                component={Link}
                to={`/inbox/${conversation.id}`}
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
                    {conversation.unreadCount > 0 && <Badge size="sm">{conversation.unreadCount}</Badge>}
                  </Group>
                  <Text size="xs" c="dimmed" truncate>
                    {conversation.lastMessagePreview}
                  </Text>
                </Paper>
              </UnstyledButton>
            ))}
            {conversations.hasNextPage && (
              <Center>
                <Button variant="subtle" size="xs" onClick={more} loading={conversations.isFetchingNextPage}>
                  Load more conversations
                </Button>
              </Center>
            )}
          </Stack>
        </ScrollArea>
      </QueryState>
    </Stack>
  );
}

/**
 * The conversation at /inbox/:conversationId: from the inbox's loaded pages when it is there (kept
 * current by the realtime patches), otherwise asked for by id (conversation.byId), so a link to an
 * older one opens at once without paging the list.
 */
function useOpenConversation(conversations: ReturnType<typeof useConversations>, id: string | undefined) {
  const listed = id ? uniqueById(conversations.data?.pages).find((c) => c.id === id) : undefined;
  const valid = id !== undefined && uuid.test(id);
  const single = trpc.conversation.byId.useQuery(
    { id: id ?? '' },
    {
      enabled: valid && !listed,
      refetchInterval: usePollWhileOffline(),
      retry: (failures, error) => error.data?.code !== 'NOT_FOUND' && failures < 3,
    },
  );
  const conversation = listed ?? (valid ? single.data : undefined);
  const missing = !valid || single.error?.data?.code === 'NOT_FOUND';
  return { conversation, missing, query: single };
}

/** Clears the unread count once per opened conversation, for those who may (agents and above). */
function useMarkRead(conversation: Conversation | undefined) {
  const role = useRole();
  const utils = trpc.useUtils();
  const markRead = trpc.conversation.markRead.useMutation({
    onSuccess: () => {
      void utils.conversation.list.invalidate();
      void utils.conversation.byId.invalidate();
    },
  });
  const marked = useRef<string | null>(null);
  const { mutate } = markRead;
  useEffect(() => {
    if (!conversation || marked.current === conversation.id) return;
    marked.current = conversation.id;
    if (can(role, 'agent') && conversation.unreadCount > 0) mutate({ id: conversation.id });
  }, [conversation, role, mutate]);
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
  const conversations = useConversations();
  const open = useOpenConversation(conversations, conversationId);
  const { conversation } = open;
  const [search] = useSearchParams();
  const contactScreen = phone && search.get('panel') === 'contact';
  useMarkRead(conversation);
  useDocumentTitle(conversation ? contactName(conversation) : 'Inbox');
  // Back through history when the list is where we came from, so the list keeps its place.
  const back = () =>
    (location.state as FromList | null)?.fromList
      ? void navigate(-1)
      : void navigate('/inbox', { replace: true });

  // Phones: the contact panel is a screen above the thread; back returns to it.
  const showContact = () =>
    void navigate('?panel=contact', { state: { ...(location.state as object | null), fromThread: true } });
  const backToThread = () =>
    (location.state as { fromThread?: boolean } | null)?.fromThread
      ? void navigate(-1)
      : void navigate(location.pathname, { replace: true });

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
