import { z } from 'zod';
import { text } from '../../trpc/text.ts';
// From the contacts schemas, not audience.ts: this file reaches the browser, which must not load slonik.
import { contactFilterSchema as segmentFilterSchema } from '../contacts/schemas.ts';

/** IANA zone names this runtime knows (PostgreSQL checks again when it is stored). */
export const timeZoneSchema = z
  .string()
  .trim()
  .min(1, 'Choose a time zone.')
  .refine((zone) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      return zone.includes('/') || zone === 'UTC';
    } catch {
      return false;
    }
  }, 'Choose a time zone from the list (for example Europe/Berlin).');

export const segmentName = text({ min: 1, max: 80, tooShort: 'Give the audience a name.' });

/** segment.create: a filter over contacts, or an uploaded list of phone numbers. */
export const segmentDraftSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('filter'), name: segmentName, filter: segmentFilterSchema }),
  z.object({
    kind: z.literal('list'),
    name: segmentName,
    /** Phone numbers as uploaded (one a line or a CSV column): normalised to E.164 with the workspace's country. */
    phones: z
      .array(z.string().max(40))
      .min(1, 'Upload at least one phone number.')
      .max(100_000, 'A list holds at most 100,000 numbers.'),
  }),
]);

/** segment.update: a filter segment's name and conditions. */
export const segmentEditSchema = z.object({ id: z.uuid(), name: segmentName, filter: segmentFilterSchema });

export const segmentSchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['filter', 'list']),
  filter: z.unknown(),
  createdAt: z.string(),
});
export type Segment = z.infer<typeof segmentSchema>;

/** How many contacts an audience reaches now, and how many it leaves out and why. */
export const audienceCountSchema = z.object({
  recipients: z.number(),
  optedOut: z.number(),
  notOnWhatsApp: z.number(),
  noPhone: z.number(),
});

/**
 * Where one template variable's value comes from for each recipient: a contact field, one of its
 * custom attributes, or fixed text; `fallback` when the contact has none.
 */
export const valueSourceSchema = z.object({
  source: z.enum(['text', 'name', 'first_name', 'phone', 'email', 'country', 'attribute']),
  /** The fixed text (source text) or the attribute's key (source attribute). */
  value: z.string().trim().max(1024).default(''),
  fallback: z.string().trim().max(1024).default(''),
});
export type ValueSource = z.infer<typeof valueSourceSchema>;

export const variableMappingSchema = z.object({
  body: z.record(z.string(), valueSourceSchema).default({}),
  header: valueSourceSchema.optional(),
  buttons: z.record(z.string(), valueSourceSchema).default({}),
});
export type VariableMapping = z.infer<typeof variableMappingSchema>;

const minuteOfDay = z.number().int().min(0).max(1440);

export const campaignDraftSchema = z
  .object({
    name: text({ min: 1, max: 120, tooShort: 'Give the campaign a name.' }),
    /** app_public.phone_numbers.id of the number that sends. */
    phoneNumberId: z.uuid('Choose the number to send from.'),
    templateId: z.uuid('Choose an approved template.'),
    segmentId: z.uuid('Choose an audience.'),
    includeNotOnWhatsApp: z.boolean().default(false),
    variables: variableMappingSchema.default({ body: {}, buttons: {} }),
    /** The header's image, video or document (https), for templates with a media header. */
    headerMediaUrl: z
      .string()
      .trim()
      .max(2000)
      .regex(/^https:\/\/\S+$/, 'The header media must be an https address.')
      .optional(),
    /** Local time in the workspace's zone, "2026-12-24T09:00" (no zone); absent: at once. */
    scheduledAt: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'Give the time as date and hour, e.g. 2026-12-24T09:00.')
      .optional(),
    /** Minutes after local midnight in each recipient's country: send only within [start, end). */
    sendWindow: z
      .object({ startMinute: minuteOfDay, endMinute: minuteOfDay })
      .refine((window) => window.endMinute > window.startMinute, 'The send window must end after it starts.')
      .optional(),
    maxRate: z
      .number()
      .int()
      .min(1, 'The maximum rate is at least 1 message a second.')
      .max(1000, 'The maximum rate is at most 1,000 messages a second.')
      .optional(),
  })
  .strict();
export type CampaignDraft = z.infer<typeof campaignDraftSchema>;

export const campaignStatus = z.enum(['scheduled', 'running', 'paused', 'completed', 'cancelled', 'failed']);

export const campaignSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: campaignStatus,
  statusReason: z.string().nullable(),
  phoneNumberId: z.string(),
  businessNumber: z.string(),
  throughputMps: z.number(),
  templateId: z.string(),
  templateName: z.string(),
  templateLanguage: z.string(),
  templateCategory: z.string().nullable(),
  segmentId: z.string().nullable(),
  segmentName: z.string().nullable(),
  includeNotOnWhatsApp: z.boolean(),
  variables: z.unknown(),
  headerMediaUrl: z.string().nullable(),
  scheduledAt: z.string().nullable(),
  windowStartMinute: z.number().nullable(),
  windowEndMinute: z.number().nullable(),
  maxRate: z.number().nullable(),
  recipientCount: z.number(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Campaign = z.infer<typeof campaignSchema>;

/** Recipients by status, replies, and failures grouped by Meta's code. */
export const campaignReportSchema = z.object({
  campaignId: z.string(),
  status: campaignStatus,
  total: z.number(),
  pending: z.number(),
  queued: z.number(),
  sent: z.number(),
  delivered: z.number(),
  read: z.number(),
  replied: z.number(),
  failed: z.number(),
  skipped: z.number(),
  cancelled: z.number(),
  failures: z.array(
    z.object({ code: z.number().nullable(), message: z.string().nullable(), count: z.number() }),
  ),
  /** Messages per pricing category (Meta's, from statuses; the template's category until one arrives). */
  pricing: z.array(z.object({ category: z.string(), messages: z.number() })),
});
export type CampaignReport = z.infer<typeof campaignReportSchema>;

export const recipientSchema = z.object({
  contactId: z.string(),
  name: z.string().nullable(),
  waId: z.string().nullable(),
  status: z.string(),
  errorCode: z.number().nullable(),
  errorMessage: z.string().nullable(),
  messageId: z.string().nullable(),
  queuedAt: z.string().nullable(),
  repliedAt: z.string().nullable(),
});
