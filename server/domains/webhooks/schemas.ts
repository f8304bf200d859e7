import { z } from 'zod';
import { text } from '../../trpc/text.ts';

/** One change of a delivery as the webhook log shows it: a row of queries.ts and the procedures' output. */
export const eventSchema = z.object({
  id: z.string(),
  deliveryId: z.string(),
  field: z.string(),
  summary: z.string(),
  status: z.enum(['processed', 'flagged', 'failed']),
  error: z.string().nullable(),
  createdAt: z.string(),
});

/** An event with the change Meta sent (only this workspace's part of the delivery). */
export const eventDetailSchema = eventSchema.extend({ payload: z.unknown() });

export const eventFilterSchema = z.object({
  status: z.enum(['processed', 'flagged', 'failed']).optional(),
  field: text({ max: 64 }).optional(),
  /** Events created at or after / before these instants. */
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type EventFilter = z.infer<typeof eventFilterSchema>;

export const listEventsInput = eventFilterSchema.extend({
  limit: z.number().int().min(1).max(200).default(50),
  before: z.uuid().optional(),
});

export const replayInput = eventFilterSchema.extend({ eventIds: z.array(z.uuid()).max(1000).optional() });
