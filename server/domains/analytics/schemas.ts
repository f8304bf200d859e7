import { z } from 'zod';

const day = z.iso.date({ error: 'Use a date like 2026-03-31.' });

/** A range of whole days in the workspace's time zone, both ends included. */
export const analyticsRangeSchema = z
  .object({
    from: day,
    to: day,
    /** Only this number's figures (all numbers when absent). */
    phoneNumberId: z.uuid().optional(),
  })
  .refine((range) => range.from <= range.to, {
    error: 'The start date must not be after the end date.',
    path: ['to'],
  })
  .refine((range) => Date.parse(range.to) - Date.parse(range.from) <= 366 * 86_400_000, {
    error: 'Choose a range of at most one year.',
    path: ['to'],
  });
export type AnalyticsRange = z.infer<typeof analyticsRangeSchema>;

const rate = z.number().nullable().describe('A share between 0 and 1; null when nothing was counted.');

export const analyticsTotalsSchema = z.object({
  messagesIn: z.number(),
  messagesOut: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  failed: z.number(),
  /** Delivered of those Meta accepted; read of those delivered; failed of those sent out. */
  deliveryRate: rate,
  readRate: rate,
  failureRate: rate,
  agentReplies: z.number(),
  conversationsOpened: z.number(),
  conversationsResolved: z.number(),
  conversationsReopened: z.number(),
  contactsCreated: z.number(),
  contactsOptedOut: z.number(),
});
export type AnalyticsTotals = z.infer<typeof analyticsTotalsSchema>;

const durationSchema = z.object({
  count: z.number(),
  medianSeconds: z.number().nullable(),
  p90Seconds: z.number().nullable(),
});

export const analyticsOverviewSchema = z.object({
  timeZone: z.string(),
  from: z.string(),
  to: z.string(),
  totals: analyticsTotalsSchema,
  /** The same figures for the as-long period just before. */
  previous: analyticsTotalsSchema,
  messagesByType: z.array(z.object({ type: z.string(), inbound: z.number(), outbound: z.number() })),
  failuresByCode: z.array(z.object({ code: z.string(), count: z.number() })),
  daily: z.array(
    z.object({
      day: z.string(),
      messagesIn: z.number(),
      messagesOut: z.number(),
      delivered: z.number(),
      read: z.number(),
      failed: z.number(),
      conversationsResolved: z.number(),
    }),
  ),
  /** Customer messages by ISO weekday (1 = Monday) and local hour: when the team is needed. */
  busiestHours: z.array(z.object({ weekday: z.number(), hour: z.number(), messagesIn: z.number() })),
  firstResponse: durationSchema,
  resolution: durationSchema,
  agents: z.array(
    z.object({
      userId: z.string(),
      name: z.string(),
      replies: z.number(),
      resolutions: z.number(),
      firstResponse: durationSchema,
      resolution: durationSchema,
    }),
  ),
});
export type AnalyticsOverview = z.infer<typeof analyticsOverviewSchema>;
