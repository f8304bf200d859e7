import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { notesOf } from './queries.ts';
import { noteInput, noteSchema } from './schemas.ts';
import { createNote } from './service.ts';

export const noteRouter = router({
  /** A conversation's internal notes, oldest first: for the members who answer (not viewers). */
  list: tenantProcedure('agent')
    .input(z.object({ conversationId: z.uuid() }))
    .output(z.array(noteSchema))
    .query(({ ctx, input }) =>
      ctx.withTenant(async (tx) =>
        (await tx.any(notesOf(input.conversationId))).map((note) => ({
          ...note,
          mentions: [...note.mentions],
        })),
      ),
    ),

  /** Writes an internal note; members mentioned as "<@user id>" are notified. Never sent to WhatsApp. */
  create: tenantProcedure('agent')
    .input(noteInput)
    .output(noteSchema)
    .mutation(({ ctx, input }) => createNote(ctx, ctx.actor.userId, input)),
});
