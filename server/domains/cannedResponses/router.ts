import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { listCanned } from './queries.ts';
import { cannedResponseInput, cannedResponseSchema } from './schemas.ts';
import { createCanned, editCanned, removeCanned } from './service.ts';

/** Canned responses: "/shortcut" in the composer inserts the text; admins manage them. */
export const cannedResponseRouter = router({
  list: tenantProcedure('viewer')
    .output(z.array(cannedResponseSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => mutableRows(tx.any(listCanned())))),

  create: tenantProcedure('admin')
    .input(cannedResponseInput)
    .output(cannedResponseSchema)
    .mutation(({ ctx, input }) => createCanned(ctx, input)),

  update: tenantProcedure('admin')
    .input(cannedResponseInput.extend({ id: z.uuid() }))
    .output(cannedResponseSchema)
    .mutation(({ ctx, input }) => editCanned(ctx, input)),

  delete: tenantProcedure('admin')
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await removeCanned(ctx, input.id);
      return { ok: true as const };
    }),
});
