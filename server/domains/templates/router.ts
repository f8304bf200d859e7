import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { rest } from '../../trpc/rest.ts';
import { templateList, templateRowSchema } from './queries.ts';
import { templateDraftSchema } from './schemas.ts';
import { createTemplate, deleteTemplate, syncTemplates } from './service.ts';

const syncResult = z.array(z.object({ channelId: z.string(), templates: z.number(), deleted: z.number() }));

export const templateRouter = router({
  /** The workspace's templates (deleted ones only on request), with Meta's status, quality and category. */
  list: tenantProcedure('viewer')
    .meta(rest('GET', '/templates', 'Templates', 'List templates'))
    .input(
      z
        .object({
          channelId: z.uuid().optional(),
          phoneNumberId: z
            .string()
            .regex(/^\d{1,20}$/)
            .optional(),
          status: z.string().max(40).optional(),
          category: z.string().max(40).optional(),
          search: z.string().max(512).optional(),
          includeDeleted: z.boolean().optional(),
        })
        .default({}),
    )
    .output(z.array(templateRowSchema))
    .query(({ ctx, input }) => ctx.withTenant((tx) => mutableRows(tx.any(templateList(input))))),

  /** Reads every template of the channel's (or every channel's) WABA from Meta, all pages. */
  sync: tenantProcedure('admin')
    .meta(rest('POST', '/templates/sync', 'Templates', 'Read templates from Meta again'))
    .input(z.object({ channelId: z.uuid().optional() }).default({}))
    .output(syncResult)
    .mutation(({ ctx, input }) => syncTemplates(ctx, input.channelId)),

  /** Submits a template for Meta's review, after checking Meta's rules; it starts PENDING. */
  create: tenantProcedure('admin')
    .meta(rest('POST', '/templates', 'Templates', 'Create a template', 'Submitted to Meta for review.'))
    .input(templateDraftSchema)
    .output(templateRowSchema)
    .mutation(({ ctx, input }) => createTemplate(ctx, input)),

  /** Deletes a template at Meta: all its languages, or only this one. */
  delete: tenantProcedure('admin')
    .meta(rest('DELETE', '/templates/{id}', 'Templates', 'Delete a template'))
    .input(z.object({ id: z.uuid(), onlyThisLanguage: z.boolean().default(false) }))
    .output(z.object({ deleted: z.number() }))
    .mutation(({ ctx, input }) => deleteTemplate(ctx, input)),
});
