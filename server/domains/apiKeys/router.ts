import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import { apiKeyScopeSchema } from './authenticate.ts';
import { apiKeySchema, apiKeys } from './queries.ts';
import { createApiKey, revoke } from './service.ts';

/** Integrator keys: managed by signed-in admins only (a key cannot mint keys). */
export const apiKeyRouter = router({
  /** Returns the secret once; only its sha256 is stored. */
  create: tenantProcedure('admin', { apiKeys: false })
    .input(
      z.object({
        name: text({ min: 1, max: 80, tooShort: 'Name the key after what uses it.' }),
        scopes: z.array(apiKeyScopeSchema).min(1, 'Give the key at least one scope.').max(3),
      }),
    )
    .output(z.object({ apiKey: apiKeySchema, token: z.string() }))
    .mutation(({ ctx, input }) =>
      ctx.withTenant((tx) =>
        createApiKey(tx, { ...input, tenantId: ctx.tenantId, createdBy: ctx.actor.userId }),
      ),
    ),

  list: tenantProcedure('admin', { apiKeys: false })
    .output(z.array(apiKeySchema))
    .query(({ ctx }) => ctx.withTenant((tx) => mutableRows(tx.any(apiKeys())))),

  /** Takes effect on the key's next request. */
  revoke: tenantProcedure('admin', { apiKeys: false })
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      await ctx.withTenant((tx) => revoke(tx, input.id));
      return { ok: true as const };
    }),
});
