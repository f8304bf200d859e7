import { TRPCError } from '@trpc/server';
import { z } from 'zod';
import { router, tenantProcedure } from '../../../trpc/init.ts';
import { attributeKeySchema } from '../schemas.ts';
import { importById, importPlan, importSchema, queueImport } from './queries.ts';

const targetSchema = z.union([
  z.enum(['phone', 'name', 'email', 'tags', 'notes', 'optIn', 'optOut']),
  z.templateLiteral(['attr:', attributeKeySchema]),
]);

const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such import.' });

/** CSV imports: uploaded over HTTP (POST /api/contacts/imports), then mapped and started here. */
export const contactImportRouter = router({
  byId: tenantProcedure('viewer')
    .input(z.object({ id: z.uuid() }))
    .output(importSchema)
    .query(async ({ ctx, input }) => {
      const found = await ctx.withTenant((tx) => tx.maybeOne(importById(input.id)));
      if (!found) throw notFound();
      return found;
    }),

  /**
   * Starts an uploaded import: what each column is (null: ignore it; exactly one phone column), what
   * to do with numbers that are already contacts, and tags for every imported contact.
   */
  start: tenantProcedure('agent')
    .input(
      z.object({
        id: z.uuid(),
        columns: z.array(targetSchema.nullable()).max(500),
        existing: z.enum(['update', 'skip']),
        tags: z.array(z.string().trim().min(1).max(50)).max(20).default([]),
      }),
    )
    .output(importSchema)
    .mutation(async ({ ctx, input }) => {
      const targets = input.columns.filter((c) => c !== null);
      if (targets.filter((c) => c === 'phone').length !== 1)
        throw new TRPCError({
          code: 'BAD_REQUEST',
          message: 'Choose exactly one column with the phone numbers.',
        });
      if (new Set(targets).size !== targets.length)
        throw new TRPCError({ code: 'BAD_REQUEST', message: 'Map each field from one column only.' });
      return ctx.withOutbox(async (tx, outbox) => {
        const plan = await tx.maybeOne(importPlan(input.id));
        if (!plan) throw notFound();
        if (input.columns.length !== plan.mapping.headers.length)
          throw new TRPCError({
            code: 'BAD_REQUEST',
            message: 'Map every column of the file (or ignore it).',
          });
        if (
          !(await tx.maybeOne(
            queueImport(input.id, input.columns, { existing: input.existing, tags: input.tags }),
          ))
        )
          throw new TRPCError({ code: 'CONFLICT', message: 'This import has already started.' });
        outbox.send({ name: 'contact.import', data: { tenantId: ctx.tenantId, importId: input.id } });
        return tx.one(importById(input.id));
      });
    }),
});
