import { z } from 'zod';

/**
 * The envelope of a WhatsApp Business Account webhook. Only what routing and storage rely on is
 * required; everything else passes through untouched into the stored payloads (Meta adds fields).
 */
export const webhookBodySchema = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(
    z.object({
      id: z.string(),
      changes: z.array(z.object({ field: z.string(), value: z.record(z.string(), z.unknown()) })),
    }),
  ),
});
export type WebhookBody = z.infer<typeof webhookBodySchema>;

export const metadataSchema = z.object({
  phone_number_id: z.string(),
  display_phone_number: z.string().optional(),
});

export const contactSchema = z.looseObject({
  wa_id: z.string().optional(),
  user_id: z.string().optional(),
  profile: z.looseObject({ name: z.string().optional(), username: z.string().optional() }).optional(),
});

/** Epoch seconds; Meta sends a string, some clients and docs a number: both mean the same. */
const timestampSchema = z.union([z.string(), z.number()]).transform(String);

export const inboundMessageSchema = z.looseObject({
  id: z.string(),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: timestampSchema,
  type: z.string(),
  context: z.looseObject({ id: z.string().optional(), from: z.string().optional() }).optional(),
  errors: z.array(z.unknown()).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const statusSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted']),
  timestamp: timestampSchema,
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  pricing: z.unknown().optional(),
  conversation: z.unknown().optional(),
  errors: z.array(z.unknown()).optional(),
  /** Echoed from the send; Parley's own are `parley:<message id>` (whatsapp/callback-data.ts). */
  biz_opaque_callback_data: z.string().optional(),
});
export type MessageStatus = z.infer<typeof statusSchema>;

export const echoSchema = inboundMessageSchema.extend({
  to: z.string().optional(),
  to_user_id: z.string().optional(),
});
export type MessageEcho = z.infer<typeof echoSchema>;

/**
 * A `messages` / `smb_message_echoes` change. Its messages, echoes and statuses are validated one by
 * one (by the handler), so one malformed item never costs its valid neighbours.
 */
export const messagesValueSchema = z.looseObject({
  metadata: metadataSchema,
  contacts: z.array(z.unknown()).optional(),
  messages: z.array(z.unknown()).optional(),
  statuses: z.array(z.unknown()).optional(),
  errors: z.array(z.unknown()).optional(),
  message_echoes: z.array(z.unknown()).optional(),
});
export type MessagesValue = z.infer<typeof messagesValueSchema>;

export const templateUpdateSchema = z.looseObject({
  message_template_id: z.union([z.string(), z.number()]).transform(String),
  message_template_name: z.string().optional(),
  message_template_language: z.string().optional(),
  event: z.string().optional(),
  reason: z.string().nullable().optional(),
  message_template_category: z.string().optional(),
  new_category: z.string().optional(),
  new_quality_score: z.string().optional(),
});

export const phoneQualitySchema = z.looseObject({
  display_phone_number: z.string(),
  event: z.string().optional(),
  current_limit: z.string().optional(),
});

export const accountUpdateSchema = z.looseObject({
  event: z.string().optional(),
  phone_number: z.string().optional(),
});

const valueAt = (input: unknown, path: PropertyKey[]): unknown =>
  path.reduce<unknown>(
    (value, key) =>
      value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined,
    input,
  );

/** What is wrong with an item, in words a user can read (field path and problem, no schema dump). */
export function describeIssues(error: z.ZodError, input?: unknown): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => {
      const field = issue.path.join('.') || 'the item';
      const missing =
        input === undefined
          ? issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
          : valueAt(input, issue.path) === undefined;
      return missing ? `field "${field}" is missing` : `field "${field}" is not valid (${issue.message})`;
    })
    .join('; ');
}

export function epochToIso(seconds: string): string {
  const value = Number(seconds);
  return new Date((Number.isFinite(value) ? value : Date.now() / 1000) * 1000).toISOString();
}
