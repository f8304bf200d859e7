import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import { generateToken, hashToken } from '../auth/tokens.ts';
import { apiKeyScopeSchema } from './authenticate.ts';
import { mutableRows } from '../../db/rows.ts';

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(apiKeyScopeSchema),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

const apiKeyColumns = sql.fragment`
  id, name, prefix, scopes, created_at as "createdAt", last_used_at as "lastUsedAt", revoked_at as "revokedAt"
`;

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
    .mutation(async ({ ctx, input }) => {
      const prefix = `pk_${generateToken(5).slice(0, 8)}`;
      const token = `${prefix}_${generateToken(20)}`;
      const scopes = [...new Set(input.scopes)];
      const apiKey = await ctx.withTenant((tx) =>
        tx.one(sql.type(apiKeySchema)`
          insert into app_public.api_keys (tenant_id, name, prefix, key_hash, scopes, created_by)
          values (${ctx.tenantId}, ${input.name}, ${prefix}, ${hashToken(token)}, ${sql.array(scopes, 'text')}, ${ctx.actor.userId})
          returning ${apiKeyColumns}
        `),
      );
      return { apiKey, token };
    }),

  list: tenantProcedure('admin', { apiKeys: false })
    .output(z.array(apiKeySchema))
    .query(({ ctx }) =>
      ctx.withTenant((tx) =>
        mutableRows(
          tx.any(sql.type(apiKeySchema)`
          select ${apiKeyColumns} from app_public.api_keys order by created_at desc
        `),
        ),
      ),
    ),

  /** Takes effect on the key's next request. */
  revoke: tenantProcedure('admin', { apiKeys: false })
    .input(z.object({ id: z.uuid() }))
    .output(z.object({ ok: z.literal(true) }))
    .mutation(async ({ ctx, input }) => {
      const result = await ctx.withTenant((tx) =>
        tx.query(
          sql.unsafe`update app_public.api_keys set revoked_at = now() where id = ${input.id} and revoked_at is null`,
        ),
      );
      if (result.rowCount === 0)
        throw new TRPCError({ code: 'NOT_FOUND', message: 'No active API key with that id.' });
      return { ok: true as const };
    }),
});
