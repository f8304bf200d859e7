import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { queuedOutput } from '../messages/schemas.ts';
import { queueMediaMessage, sendMediaInput } from './send.ts';
import { mediaUsage, setRetention } from './service.ts';

export const mediaRouter = router({
  /**
   * Sends an uploaded file (POST /media) as a reply inside the 24-hour window, with an optional
   * caption, answered "queued" like every send (queueOutboundMessage): the message and its send job
   * commit together; message.send uploads the file to Meta and sends it by media id.
   */
  send: tenantProcedure('agent')
    .input(sendMediaInput)
    .output(queuedOutput)
    .mutation(({ ctx, input }) =>
      ctx.withOutbox((tx, outbox) =>
        queueMediaMessage(tx, outbox, { ...input, tenantId: ctx.tenantId, requestId: ctx.requestId }),
      ),
    ),

  /** Media storage of the workspace: bytes used, the plan's cap, and how long media is kept. */
  usage: tenantProcedure('viewer')
    .output(z.object({ usedBytes: z.number(), capBytes: z.number(), retentionDays: z.number().nullable() }))
    .query(({ ctx }) => ctx.withTenant(mediaUsage)),

  /** Keeps media for this many days (null: keep everything); older files are deleted by a daily job. */
  setRetention: tenantProcedure('admin')
    .input(z.object({ days: z.number().int().min(1).max(3650).nullable() }))
    .output(z.object({ retentionDays: z.number().nullable() }))
    .mutation(async ({ ctx, input }) => {
      await ctx.withTenant((tx) => setRetention(tx, input.days));
      return { retentionDays: input.days };
    }),
});
