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

export const inboundMessageSchema = z.looseObject({
  id: z.string(),
  from: z.string().optional(),
  from_user_id: z.string().optional(),
  timestamp: z.string(),
  type: z.string(),
  context: z.looseObject({ id: z.string().optional(), from: z.string().optional() }).optional(),
  errors: z.array(z.unknown()).optional(),
});
export type InboundMessage = z.infer<typeof inboundMessageSchema>;

export const statusSchema = z.looseObject({
  id: z.string(),
  status: z.enum(['sent', 'delivered', 'read', 'played', 'failed', 'deleted']),
  timestamp: z.string(),
  recipient_id: z.string().optional(),
  recipient_user_id: z.string().optional(),
  pricing: z.unknown().optional(),
  conversation: z.unknown().optional(),
  errors: z.array(z.unknown()).optional(),
});
export type MessageStatus = z.infer<typeof statusSchema>;

export const messagesValueSchema = z.looseObject({
  metadata: metadataSchema,
  contacts: z.array(contactSchema).optional(),
  messages: z.array(inboundMessageSchema).optional(),
  statuses: z.array(statusSchema).optional(),
  errors: z.array(z.unknown()).optional(),
  message_echoes: z.array(inboundMessageSchema.extend({ to: z.string().optional() })).optional(),
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

export function epochToIso(seconds: string): string {
  const value = Number(seconds);
  return new Date((Number.isFinite(value) ? value : Date.now() / 1000) * 1000).toISOString();
}
