import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { notesOf, notesOfContact } from './queries.ts';
import { noteEditInput, noteInput, noteSchema } from './schemas.ts';
import { createNote, editNote, removeNote } from './service.ts';

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

  /** The latest 20 notes on any of a contact's conversations, newest first (the contact panel). */
  ofContact: tenantProcedure('agent')
    .input(z.object({ contactId: z.uuid() }))
    .output(z.array(noteSchema))
    .query(({ ctx, input }) =>
      ctx.withTenant(async (tx) =>
        (await tx.any(notesOfContact(input.contactId, 20))).map((note) => ({
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

  /** Rewrites a note: its author, or an admin. Newly mentioned members are notified. */
  update: tenantProcedure('agent')
    .input(noteEditInput)
    .output(noteSchema)
    .mutation(({ ctx, input }) => editNote(ctx, { userId: ctx.actor.userId, role: ctx.role }, input)),

  /** Deletes a note: its author, or an admin. */
  delete: tenantProcedure('agent')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeNote(ctx, { userId: ctx.actor.userId, role: ctx.role }, input.id);
      return { ok: true as const };
    }),
});
