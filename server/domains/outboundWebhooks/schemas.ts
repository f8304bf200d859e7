import { z } from 'zod';

/** The events an endpoint may subscribe to (each emitted by a trigger in sql/functions/95-outbound-webhooks.sql). */
export const webhookEventTypes = [
  'message.received',
  'message.status',
  'conversation.assigned',
  'conversation.resolved',
  'contact.created',
  'campaign.finished',
] as const;
export const webhookEventType = z.enum(webhookEventTypes, {
  error: `Events are ${webhookEventTypes.join(', ')}.`,
});

const endpointUrl = z
  .string()
  .trim()
  .max(2000, 'The URL is at most 2,000 characters.')
  .regex(/^https?:\/\/[^\s/?#]+\S*$/i, 'Enter the endpoint as an http:// or https:// address.');

const events = z
  .array(webhookEventType)
  .min(1, 'Choose at least one event.')
  .transform((list) => [...new Set(list)]);

export const createEndpointSchema = z.object({
  url: endpointUrl,
  description: z.string().trim().max(200, 'The description is at most 200 characters.').nullish(),
  events,
});

export const updateEndpointSchema = z.object({
  id: z.uuid(),
  url: endpointUrl.optional(),
  description: z.string().trim().max(200, 'The description is at most 200 characters.').nullish(),
  events: events.optional(),
  /** true re-enables an endpoint that was disabled (and forgets its failures). */
  enabled: z.boolean().optional(),
});

export const endpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  description: z.string().nullable(),
  events: z.array(z.string()),
  enabled: z.boolean(),
  disabledReason: z.string().nullable(),
  disabledAt: z.string().nullable(),
  failingSince: z.string().nullable(),
  lastSuccessAt: z.string().nullable(),
  lastFailureAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Endpoint = z.infer<typeof endpointSchema>;

/** What create and rotateSecret answer: the signing secret, shown this once. */
export const endpointWithSecretSchema = endpointSchema.extend({
  secret: z.string().describe('The signing secret (whsec_…): shown only now, store it.'),
});

export const deliveryStatus = z.enum(['pending', 'retrying', 'succeeded', 'failed']);

export const deliverySchema = z.object({
  id: z.string(),
  endpointId: z.string(),
  eventId: z.string(),
  eventType: z.string(),
  payload: z.unknown(),
  status: deliveryStatus,
  attempts: z.number(),
  responseStatus: z.number().nullable(),
  responseBody: z.string().nullable(),
  error: z.string().nullable(),
  durationMs: z.number().nullable(),
  replayOf: z.string().nullable(),
  lastAttemptAt: z.string().nullable(),
  createdAt: z.string(),
});
export type Delivery = z.infer<typeof deliverySchema>;

export const listDeliveriesSchema = z.object({
  endpointId: z.uuid(),
  status: deliveryStatus.optional(),
  /** The last id of the previous page (newest first). */
  cursor: z.uuid().optional(),
  limit: z.number().int().min(1).max(200).default(50),
});
