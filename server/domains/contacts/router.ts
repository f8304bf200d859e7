import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { contactById, renameContact, announceContact } from './queries.ts';
import { contactSchema, renameContactSchema } from './schemas.ts';

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such contact.' });

export const contactRouter = router({
  /** A contact with their numbers, when first seen, and every conversation with them (the contact panel). */
  byId: tenantProcedure('viewer')
    .meta(rest('GET', '/contacts/{id}', 'Contacts', 'Get a contact'))
    .input(z.object({ id: z.uuid() }))
    .output(contactSchema)
    .query(async ({ ctx, input }) => {
      const contact = await ctx.withTenant((tx) => tx.maybeOne(contactById(input.id)));
      if (!contact) throw notFound();
      return contact;
    }),

  /**
   * Names a contact for the team (null: back to their WhatsApp profile name, which keeps following
   * what the customer sets). Teammates see the new name live.
   */
  rename: tenantProcedure('agent')
    .meta(rest('PATCH', '/contacts/{id}', 'Contacts', 'Rename a contact'))
    .input(renameContactSchema)
    .output(contactSchema)
    .mutation(async ({ ctx, input }) => {
      const contact = await ctx.withTenant(async (tx) => {
        if (!(await tx.maybeOne(renameContact(input.id, input.name)))) return null;
        await tx.query(announceContact(input.id));
        return tx.one(contactById(input.id));
      });
      if (!contact) throw notFound();
      return contact;
    }),
});
