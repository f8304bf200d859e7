import { TRPCError } from '@trpc/server';
import { sql } from 'slonik';
import { z } from 'zod';
import { router, tenantProcedure } from '../../trpc/init.ts';
import { text } from '../../trpc/text.ts';
import { replayPriority } from './ingest/delivery-writer.ts';

/** Most deliveries one replay queues: a replay never floods the queue ahead of customers' messages. */
export const replayBatch = 500;

const eventSchema = z.object({
  id: z.string(),
  deliveryId: z.string(),
  field: z.string(),
  summary: z.string(),
  status: z.enum(['processed', 'flagged', 'failed']),
  error: z.string().nullable(),
  createdAt: z.string(),
});

const eventColumns = sql.fragment`
  id, delivery_id as "deliveryId", field, summary, status, error, created_at as "createdAt"
`;

const filterSchema = z.object({
  status: z.enum(['processed', 'flagged', 'failed']).optional(),
  field: text({ max: 64 }).optional(),
  /** Events created at or after / before these instants. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});

/** The filter's conditions, only those given (true when none is), joined with `and`. */
function where(
  filter: z.infer<typeof filterSchema> & { before?: string | undefined; eventIds?: string[] | undefined },
) {
  const conditions = [sql.fragment`true`];
  if (filter.status) conditions.push(sql.fragment`status = ${filter.status}`);
  if (filter.field) conditions.push(sql.fragment`field = ${filter.field}`);
  if (filter.from) conditions.push(sql.fragment`created_at >= ${filter.from}::timestamptz`);
  if (filter.to) conditions.push(sql.fragment`created_at < ${filter.to}::timestamptz`);
  if (filter.before) {
    conditions.push(sql.fragment`(delivery_id, change_index) < (
      select delivery_id, change_index from app_public.webhook_events where id = ${filter.before})`);
  }
  if (filter.eventIds) conditions.push(sql.fragment`id = any (${sql.array(filter.eventIds, 'uuid')})`);
  return sql.join(conditions, sql.fragment` and `);
}

/** The workspace's webhook log: what Meta sent, how it was processed, and replay. */
export const webhookRouter = router({
  list: tenantProcedure('admin')
    .input(
      filterSchema.extend({
        limit: z.number().int().min(1).max(200).default(50),
        before: z.uuid().optional(),
      }),
    )
    .output(z.object({ events: z.array(eventSchema), nextBefore: z.string().nullable() }))
    .query(async ({ ctx, input }) => {
      const rows = await ctx.withTenant((tx) =>
        tx.any(sql.type(eventSchema)`
          select ${eventColumns}
          from app_public.webhook_events
          where ${where(input)}
          -- Deliveries' ids are time-ordered at arrival, so this is the order Meta sent things in.
          order by delivery_id desc, change_index desc
          limit ${input.limit}
        `),
      );
      return {
        events: [...rows],
        nextBefore: rows.length === input.limit ? (rows.at(-1)?.id ?? null) : null,
      };
    }),

  /** One event with the change Meta sent (only this workspace's part of the delivery). */
  byId: tenantProcedure('admin')
    .input(z.object({ id: z.uuid() }))
    .output(eventSchema.extend({ payload: z.unknown() }))
    .query(async ({ ctx, input }) => {
      const row = await ctx.withTenant((tx) =>
        tx.maybeOne(sql.type(eventSchema.extend({ payload: z.unknown() }))`
          select ${eventColumns}, payload
          from app_public.webhook_events where id = ${input.id}
        `),
      );
      if (!row) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such webhook event.' });
      return row;
    }),

  /**
   * Processes deliveries again: the ones behind the given events, or every one matching the filter.
   * Processing is idempotent, so a replay repairs what failed and changes nothing that succeeded.
   * Bounded: at most replayBatch deliveries per call, none already queued or running, queued behind
   * fresh deliveries; `remaining` says how many more a further call would queue.
   */
  replay: tenantProcedure('admin')
    .input(filterSchema.extend({ eventIds: z.array(z.uuid()).max(1000).optional() }))
    .output(z.object({ queued: z.number(), remaining: z.number(), more: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const marked = await ctx.withTenant((tx) =>
        tx.any(sql.type(z.object({ id: z.string().nullable(), remaining: z.number() }))`
          select id, remaining from app_public.mark_webhook_replay(
            array(
              select distinct delivery_id from app_public.webhook_events
              where ${where(input)}
              order by delivery_id
              limit 20000
            ),
            ${replayBatch}
          )
        `),
      );
      const deliveryIds = marked.flatMap((row) => (row.id ? [row.id] : []));
      if (deliveryIds.length > 0) {
        await ctx.services.boss.insert(
          'webhook.process',
          deliveryIds.map((deliveryId) => ({
            data: { deliveryId },
            singletonKey: deliveryId,
            priority: replayPriority,
          })),
        );
      }
      const remaining = marked[0]?.remaining ?? 0;
      return { queued: deliveryIds.length, remaining, more: remaining > 0 };
    }),
});
