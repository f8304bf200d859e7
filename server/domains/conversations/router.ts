import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { text } from '../../trpc/text.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { activitiesOf, activitySchema, conversationStatus, workflowSchema } from './queries.ts';
import { mutableRows } from '../../db/rows.ts';
import {
  inboxCursor,
  inboxFilters,
  inboxPage,
  listedById,
  listedConversation,
  tabCounts,
  tabCountsSchema,
  unreadTotals,
  unreadTotalsSchema,
} from './inbox-queries.ts';
import { markRead } from './read-state.ts';
import { searchInbox, searchResultsSchema } from './search.ts';
import { assign, setStatus } from './workflow.ts';

const conversationRef = { id: z.uuid(), version: z.number().int().min(0) };

export const conversationRouter = router({
  /**
   * The caller has read the conversation (read state is per member), through `throughMessageId`, the
   * newest message they were shown (absent: everything now). Customer messages nobody had read yet
   * are marked read on the customer's phone too (when the channel sends read receipts).
   */
  markRead: tenantProcedure('agent')
    .meta(
      rest(
        'POST',
        '/conversations/{id}/read',
        'Conversations',
        'Mark a conversation read',
        'For the API key there is no member read state; Meta read receipts are queued for unread customer messages.',
      ),
    )
    .input(z.object({ id: z.uuid(), throughMessageId: z.uuid().optional() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await markRead(ctx, input.id, input.throughMessageId ?? null);
      return { ok: true as const };
    }),

  /**
   * The inbox, most recent first, a page at a time: pass the last row's `cursor` for the next page
   * (stable while conversations arrive or move). Filters: status tab, assignee (me / unassigned /
   * anyone, a member, a team), label, number, unread (for the caller), 24-hour window open or closed.
   */
  list: tenantProcedure('viewer')
    .meta(
      rest(
        'GET',
        '/conversations',
        'Conversations',
        'List conversations',
        "Most recent first. Cursor pagination: pass the last row's `cursor` as `cursor` for the next page; an empty page is the end.",
      ),
    )
    .input(
      inboxFilters.extend({
        cursor: inboxCursor.optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(listedConversation))
    .query(({ ctx, input }) =>
      ctx.withTenant((tx) => mutableRows(tx.any(inboxPage({ ...input, userId: ctx.actor.userId })))),
    ),

  /** One conversation as the list shows it. */
  byId: tenantProcedure('viewer')
    .meta(rest('GET', '/conversations/{id}', 'Conversations', 'Get a conversation'))
    .input(z.object({ id: z.uuid() }))
    .output(listedConversation)
    .query(async ({ ctx, input }) => {
      const found = await ctx.withTenant((tx) => tx.maybeOne(listedById(input.id, ctx.actor.userId)));
      if (!found) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
      return found;
    }),

  /**
   * How many conversations each status tab holds under the other filters, and how many of them the
   * caller has unread messages in (exact); counting totals stops at `cap`.
   */
  counts: tenantProcedure('viewer')
    .meta(rest('GET', '/conversations/counts', 'Conversations', 'Count conversations per status'))
    .input(inboxFilters.omit({ status: true }))
    .output(tabCountsSchema)
    .query(({ ctx, input }) => ctx.withTenant((tx) => tx.one(tabCounts(input, ctx.actor.userId)))),

  /**
   * The caller's unread customer messages, and in how many conversations, among those assigned to
   * them or to no member (the browser tab's title count). Exact, however many.
   */
  unreadTotals: tenantProcedure('viewer')
    .meta(rest('GET', '/conversations/unread-totals', 'Conversations', 'Count my unread messages'))
    .output(unreadTotalsSchema)
    .query(({ ctx }) => ctx.withTenant((tx) => tx.one(unreadTotals(ctx.actor.userId)))),

  /**
   * Finds conversations by a word of their messages (full text, the newest first, with the message's
   * text around it) and by part of a contact's name or phone number.
   */
  search: tenantProcedure('viewer')
    .meta(rest('GET', '/conversations/search', 'Conversations', 'Search messages and contacts'))
    .input(z.object({ query: text({ min: 2, max: 100, tooShort: 'Type at least 2 characters.' }) }))
    .output(searchResultsSchema)
    .query(({ ctx, input }) => searchInbox(ctx, input.query)),

  /**
   * Opens, resolves, marks pending or snoozes (until `snoozedUntil`; a customer's message or that time
   * reopens it). `version` is the one the caller saw: a CONFLICT when someone changed it meanwhile.
   */
  setStatus: tenantProcedure('agent')
    .meta(
      rest(
        'PATCH',
        '/conversations/{id}',
        'Conversations',
        "Change a conversation's status",
        'Open, resolve, mark pending or snooze. `version` is the one you read: 409 when someone changed it meanwhile.',
      ),
    )
    .input(
      z
        .object({
          ...conversationRef,
          status: conversationStatus,
          snoozedUntil: z.iso.datetime({ offset: true }).optional(),
        })
        .refine((value) => (value.status === 'snoozed') === (value.snoozedUntil !== undefined), {
          error: 'Snoozed until: give a time when snoozing, and only then.',
          path: ['snoozedUntil'],
        }),
    )
    .output(workflowSchema)
    .mutation(({ ctx, input }) =>
      setStatus(
        ctx,
        input.status === 'snoozed'
          ? {
              id: input.id,
              version: input.version,
              status: 'snoozed',
              snoozedUntil: input.snoozedUntil ?? '',
            }
          : { id: input.id, version: input.version, status: input.status },
      ),
    ),

  /**
   * Assigns to a member and/or a team (both null: unassigned). `version` is the one the caller saw: of
   * two agents assigning at once one wins, the other gets a CONFLICT; both see the result live.
   */
  assign: tenantProcedure('agent')
    .meta(
      rest(
        'PUT',
        '/conversations/{id}/assignee',
        'Conversations',
        'Assign a conversation',
        'To a member and/or a team (both null: unassigned). `version` is the one you read: 409 when someone changed it meanwhile.',
      ),
    )
    .input(
      z.object({
        ...conversationRef,
        userId: z.uuid().nullable(),
        teamId: z.uuid().nullable().default(null),
      }),
    )
    .output(workflowSchema)
    .mutation(({ ctx, input }) => assign(ctx, input)),

  /** Who assigned, resolved, snoozed or reopened it, and when (oldest first; the latest 200). */
  activity: tenantProcedure('viewer')
    .meta(rest('GET', '/conversations/{id}/activity', 'Conversations', "A conversation's activity"))
    .input(z.object({ id: z.uuid() }))
    .output(z.array(activitySchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(activitiesOf(input.id))))),
});
