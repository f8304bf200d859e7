import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import {
  activitiesOf,
  activitySchema,
  assigneeFilter,
  conversationById,
  conversationPage,
  conversationSchema,
  conversationStatus,
  workflowSchema,
} from './queries.ts';
import { mutableRows } from '../../db/rows.ts';
import { conversationOfList, markRead } from './service.ts';
import { assign, setStatus } from './workflow.ts';

const conversationRef = { id: z.uuid(), version: z.number().int().min(0) };

export const conversationRouter = router({
  /** Clears the unread count when someone opens the conversation. */
  markRead: tenantProcedure('agent')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await markRead(ctx, input.id);
      return { ok: true as const };
    }),

  /**
   * The inbox, most recent first, a page at a time: pass the last id of a page as `cursor` for the
   * next. Filters: a status tab, and whose it is (assignee: me / unassigned / anyone).
   */
  list: tenantProcedure('viewer')
    .input(
      z.object({
        status: conversationStatus.optional(),
        assignee: assigneeFilter.optional(),
        cursor: z.uuid().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      }),
    )
    .output(z.array(conversationSchema))
    .query(({ ctx, input }) =>
      ctx.withTenant((tx) => mutableRows(tx.any(conversationPage({ ...input, userId: ctx.actor.userId })))),
    ),

  /**
   * One conversation as the list shows it, whichever page of the list it would be on: what a link to
   * /inbox/:conversationId opens. NOT_FOUND when the workspace has no such conversation (yet).
   */
  byId: tenantProcedure('viewer')
    .input(z.object({ id: z.uuid() }))
    .output(conversationSchema)
    .query(({ ctx, input }) => conversationOfList(ctx, input.id)),

  /**
   * Opens, resolves, marks pending or snoozes (until `snoozedUntil`; a customer's message or that time
   * reopens it). `version` is the one the caller saw: a CONFLICT when someone changed it meanwhile.
   */
  setStatus: tenantProcedure('agent')
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
    .input(z.object({ id: z.uuid() }))
    .output(z.array(activitySchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(activitiesOf(input.id))))),
});
