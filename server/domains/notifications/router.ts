import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { markCallerRead, notificationSchema, notificationsOfCaller, unreadCountOfCaller } from './queries.ts';

const inbox = z.object({ unread: z.number(), items: z.array(notificationSchema) });

/** The caller's own notifications (mentions, assignments): for members, not API keys. */
export const notificationRouter = router({
  /** The latest notifications, newest first, with how many are unread. */
  list: tenantProcedure('viewer', { apiKeys: false })
    .input(z.object({ limit: z.number().int().min(1).max(100).default(30) }).optional())
    .output(inbox)
    .query(({ ctx, input }) =>
      ctx.withTenant(async (tx) => ({
        unread: (await tx.one(unreadCountOfCaller())).unread,
        items: (await tx.any(notificationsOfCaller(input?.limit ?? 30))).map((item) => ({
          ...item,
          mentions: [...item.mentions],
        })),
      })),
    ),

  /** Marks the given notifications read, or all of them (no ids); answers the unread count left. */
  markRead: tenantProcedure('viewer', { apiKeys: false })
    .input(z.object({ ids: z.array(z.uuid()).min(1).max(200).optional() }))
    .output(z.object({ unread: z.number() }))
    .mutation(({ ctx, input }) =>
      ctx.withTenant(async (tx) => {
        await tx.query(markCallerRead(input.ids ?? null));
        return tx.one(unreadCountOfCaller());
      }),
    ),
});
