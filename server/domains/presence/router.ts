import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { leavePresence, reportPresence } from './service.ts';
import { presenceReportSchema } from './schemas.ts';

const ok = z.object({ ok: z.literal(true) });

export const presenceRouter = router({
  /**
   * A signed-in member's tab reports itself: online or away, the conversation it shows, typing or
   * not. Sent on every change and as a heartbeat (every presenceHeartbeatSeconds); a tab that stops
   * reporting disappears for teammates after PRESENCE_TTL_SECONDS, typing after a few seconds.
   */
  update: tenantProcedure('viewer', { apiKeys: false })
    .input(presenceReportSchema)
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await reportPresence(ctx, input);
      return { ok: true as const };
    }),

  /** The tab is going away (signing out, switching workspace): teammates stop seeing it at once. */
  leave: tenantProcedure('viewer', { apiKeys: false })
    .input(z.object({ tabId: z.uuid() }))
    .output(ok)
    .mutation(async ({ ctx, input }) => {
      await leavePresence(ctx, input.tabId);
      return { ok: true as const };
    }),
});
