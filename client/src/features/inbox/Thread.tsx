import { ActionIcon, Box, Button, Center, Group, Loader, ScrollArea, Stack, Text } from '@mantine/core';
import { useEffect, useState } from 'react';
import { can, type Role } from '../../components/roles.ts';
import { trpc } from '../../trpc.ts';
import { Composer } from './composer/Composer.tsx';
import { TemplateSlot } from './composer/TemplateSlot.tsx';
import { MessageActions } from './composer/MessageActions.tsx';
import { MessageBubble } from './MessageBubble.tsx';
import { WorkflowControls } from './workflow/WorkflowControls.tsx';
import { LabelPicker } from './finding/LabelPicker.tsx';
import { NoteBubble } from '../collaboration/NoteBubble.tsx';
import { ActivityLine } from './workflow/ActivityLine.tsx';
import { ReplyOrNote } from '../collaboration/ReplyOrNote.tsx';
import { withNotes } from '../collaboration/notesInThread.ts';
import { useMe } from '../session/session.ts';
import { usePollWhileOffline } from '../realtime/live.ts';
import { NewMessagesPill, useFollowNewest } from './NewMessagesPill.tsx';
import { PresenceIndicator } from '../presence/PresenceIndicator.tsx';
import { noteTyping, setViewing, stopTyping } from '../presence/store.ts';
import { contactName, nextCursor, pageSize, uniqueById, type Conversation, type Message } from './types.ts';

/**
 * One conversation: opens at the newest message; scrolling to the top (or the button there) loads
 * older pages, keeping what the agent was reading in place.
 */
export function Thread({
  conversation,
  role,
  onBack,
  onShowContact,
}: {
  conversation: Conversation;
  role: Role;
  /** Shown on phones, where the thread replaces the list. */
  onBack?: (() => void) | undefined;
  /** Shown on phones, where the contact panel is a screen of its own. */
  onShowContact?: (() => void) | undefined;
}) {
  const conversationId = conversation.id;
  const utils = trpc.useUtils();
  /** The message the agent is replying to (quoted above the reply box), per conversation. */
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  useEffect(() => setReplyTo(null), [conversationId]);
  const messages = trpc.message.list.useInfiniteQuery(
    { conversationId, limit: pageSize },
    { getNextPageParam: nextCursor, refetchInterval: usePollWhileOffline() },
  );
  const retry = trpc.message.retry.useMutation({
    onSettled: () => void utils.message.list.invalidate({ conversationId }),
  });
  const ordered = uniqueById(messages.data?.pages).reverse();
  // Internal notes (collaboration): for the members who answer, between the messages of their time.
  const notes = trpc.note.list.useQuery(
    { conversationId },
    { enabled: can(role, 'agent'), refetchInterval: usePollWhileOffline() },
  );
  // The activity timeline (who assigned, resolved, snoozed, labelled), as small lines between them;
  // a note's activity is the note itself.
  const activity = trpc.conversation.activity.useQuery(
    { id: conversationId },
    { refetchInterval: usePollWhileOffline() },
  );
  const items = withNotes(
    ordered,
    notes.data ?? [],
    !messages.hasNextPage,
    (activity.data ?? []).filter((entry) => entry.action !== 'note'),
  );
  const me = useMe().data;
  const byWamid = new Map(
    ordered.flatMap((message) => (message.wamid ? [[message.wamid, message] as const] : [])),
  );
  // Live inserts without jumps: messages that arrive while the agent reads further up are counted
  // (notes move the thread like messages, but are not counted: they are the team's own).
  const scroll = useFollowNewest(
    items.map((entry) => ({
      id: entry.item.id,
      direction: entry.kind === 'message' ? entry.item.direction : entry.kind,
    })),
  );
  const { viewport } = scroll;
  // Teammates see who has this conversation open (presence).
  useEffect(() => {
    setViewing(conversationId);
    return () => setViewing(null);
  }, [conversationId]);

  const loadOlder = () => {
    if (!viewport.current || !messages.hasNextPage || messages.isFetchingNextPage) return;
    scroll.keepPlace();
    void messages.fetchNextPage();
  };
  const name = contactName(conversation);
  const canReply = can(role, 'agent');
  const windowOpen = conversation.windowClosesAt !== null;
  return (
    <Stack h="100%" gap="xs" miw={0}>
      {/* On a phone the workflow controls wrap below the contact's name. */}
      <Group gap="xs" wrap="wrap">
        {onBack && (
          <ActionIcon variant="subtle" size="lg" aria-label="Back to conversations" onClick={onBack}>
            ←
          </ActionIcon>
        )}
        <Stack gap={0} miw={0} style={{ flex: '1 1 160px' }}>
          <Text fw={600} truncate>
            {name}
          </Text>
          {conversation.contact.waId && name !== conversation.contact.waId && (
            <Text size="xs" c="dimmed">
              +{conversation.contact.waId}
            </Text>
          )}
        </Stack>
        <WorkflowControls conversation={conversation} canChange={canReply} />
        <LabelPicker conversationId={conversationId} labelIds={conversation.labelIds} canChange={canReply} />
        {onShowContact && (
          <ActionIcon variant="subtle" size="lg" aria-label="Contact details" onClick={onShowContact}>
            <svg
              width="20"
              height="20"
              viewBox="0 0 24 24"
              fill="none"
              stroke="currentColor"
              strokeWidth="2"
              aria-hidden
            >
              <circle cx="12" cy="12" r="9" />
              <path d="M12 11v6M12 7.5v.5" strokeLinecap="round" />
            </svg>
          </ActionIcon>
        )}
      </Group>
      <PresenceIndicator conversationId={conversationId} />
      <Box pos="relative" flex={1} mih={0}>
        <ScrollArea
          h="100%"
          type="auto"
          viewportRef={viewport}
          onTopReached={loadOlder}
          onScrollPositionChange={scroll.onScroll}
          data-testid="thread"
        >
          <Stack gap="xs" p="xs">
            {messages.hasNextPage && (
              <Center>
                <Button variant="subtle" size="xs" onClick={loadOlder} loading={messages.isFetchingNextPage}>
                  Load older messages
                </Button>
              </Center>
            )}
            {messages.isPending && (
              <Center>
                <Loader size="sm" />
              </Center>
            )}
            {items.map((entry) => {
              if (entry.kind === 'note') return <NoteBubble key={entry.item.id} note={entry.item} />;
              if (entry.kind === 'activity')
                return <ActivityLine key={entry.item.id} activity={entry.item} />;
              const message = entry.item;
              return (
                <MessageBubble
                  key={message.id}
                  message={message}
                  quoted={message.quotedWamid ? (byWamid.get(message.quotedWamid) ?? null) : null}
                  actions={
                    canReply && windowOpen ? (
                      <MessageActions
                        message={message}
                        conversationId={conversationId}
                        onReply={setReplyTo}
                      />
                    ) : undefined
                  }
                  onRetry={
                    canReply && message.wamid === null ? () => retry.mutate({ id: message.id }) : undefined
                  }
                  retrying={retry.isPending && retry.variables.id === message.id}
                />
              );
            })}
          </Stack>
        </ScrollArea>
        <NewMessagesPill count={scroll.unseen} onClick={scroll.scrollToNewest} />
      </Box>
      {retry.error && (
        <Text size="sm" c="red">
          {retry.error.message}
        </Text>
      )}
      {canReply ? (
        <ReplyOrNote
          conversationId={conversationId}
          reply={
            // Typing a reply is shown to teammates ("Ana is typing…"); sending ends it.
            <div
              onInput={noteTyping}
              onKeyDown={(event) => event.key === 'Enter' && !event.shiftKey && stopTyping()}
              onBlur={stopTyping}
            >
              <Composer
                conversationId={conversationId}
                cannedValues={{
                  'contact.name': conversation.contact.name,
                  'contact.phone': conversation.contact.waId ? `+${conversation.contact.waId}` : null,
                  'agent.name': me?.user.displayName ?? null,
                }}
                windowOpen={windowOpen}
                replyTo={replyTo}
                onCancelReply={() => setReplyTo(null)}
                templatePicker={
                  <TemplateSlot
                    conversationId={conversationId}
                    phoneNumberId={conversation.phoneNumberId}
                    windowOpen={windowOpen}
                  />
                }
              />
            </div>
          }
        />
      ) : (
        <Text size="sm" c="dimmed">
          Viewers can read conversations but not reply.
        </Text>
      )}
    </Stack>
  );
}
