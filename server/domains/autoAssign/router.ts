import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { ruleSchema, rules } from './queries.ts';
import { availability, setAvailable, setRule } from './service.ts';

const availabilitySchema = z.object({
  /** Whether the caller takes round-robin conversations now (false for an API key). */
  available: z.boolean(),
  availableUserIds: z.array(z.string()),
});

/** Round-robin auto-assignment per phone number, and members' availability for it. */
export const autoAssignRouter = router({
  /** Every phone number of the workspace with its rule. */
  rules: tenantProcedure('admin')
    .output(z.array(ruleSchema))
    .query(({ ctx }) => ctx.withTenant((tx) => mutableRows(tx.any(rules())))),

  /**
   * Round robin on a phone number: new conversations (and ones reopened unassigned) go in turn to the
   * available members of `teamId` (null: of the workspace); enabled false turns it off.
   */
  setRule: tenantProcedure('admin')
    .input(
      z.object({ phoneNumberId: z.uuid(), enabled: z.boolean(), teamId: z.uuid().nullable().default(null) }),
    )
    .output(ruleSchema)
    .mutation(({ ctx, input }) => setRule(ctx, input)),

  availability: tenantProcedure('viewer')
    .output(availabilitySchema)
    .query(({ ctx }) => availability(ctx, ctx.actor.userId)),

  /** The caller takes (or stops taking) round-robin conversations. */
  setAvailable: tenantProcedure('agent', { apiKeys: false })
    .input(z.object({ available: z.boolean() }))
    .output(availabilitySchema)
    .mutation(({ ctx, input }) => setAvailable(ctx, ctx.actor.userId ?? '', input.available)),
});
