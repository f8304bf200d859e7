import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { labelsOfContact, listLabels } from './queries.ts';
import { conversationLabelInput, labelDraftSchema, labelSchema } from './schemas.ts';
import { changeLabel, createLabel, removeExistingLabel, setConversationLabel } from './service.ts';

const labelIds = z.object({ labelIds: z.array(z.string()) });

export const labelRouter = router({
  /** The workspace's labels by name, with how many conversations carry each. */
  list: tenantProcedure('viewer')
    .meta(rest('GET', '/labels', 'Labels', 'List labels'))
    .output(z.array(labelSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => mutableRows(tx.any(listLabels())))),

  /** The labels on a contact's conversations (the contact panel), with how many of them carry each. */
  ofContact: tenantProcedure('viewer')
    .input(z.object({ contactId: z.uuid() }))
    .output(z.array(labelSchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(labelsOfContact(input.contactId))))),

  create: tenantProcedure('admin')
    .input(labelDraftSchema)
    .output(labelSchema)
    .mutation(({ ctx, input }) => createLabel(ctx, input)),

  update: tenantProcedure('admin')
    .input(labelDraftSchema.extend({ id: z.uuid() }))
    .output(labelSchema)
    .mutation(({ ctx, input }) => changeLabel(ctx, input.id, input)),

  /** Deletes a label and takes it off every conversation (their timelines keep its name). */
  delete: tenantProcedure('admin')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeExistingLabel(ctx, input.id);
      return { ok: true as const };
    }),

  /** Puts a label on a conversation (idempotent); answers with the labels it carries now. */
  attach: tenantProcedure('agent')
    .meta(rest('POST', '/conversations/{conversationId}/labels', 'Labels', 'Label a conversation'))
    .input(conversationLabelInput)
    .output(labelIds)
    .mutation(({ ctx, input }) => setConversationLabel(ctx, { ...input, on: true })),

  /** Takes a label off a conversation (idempotent); answers with the labels it carries now. */
  detach: tenantProcedure('agent')
    .meta(
      rest(
        'DELETE',
        '/conversations/{conversationId}/labels/{labelId}',
        'Labels',
        'Remove a label from a conversation',
      ),
    )
    .input(conversationLabelInput)
    .output(labelIds)
    .mutation(({ ctx, input }) => setConversationLabel(ctx, { ...input, on: false })),
});
