import { z } from 'zod';

/**
 * Graph API response shapes Parley reads (fixtures in /work/shared/fixtures/whatsapp/graph). Objects are
 * loose: Meta adds fields between versions, and a new field must never break sending.
 */

export const sendMessageResponseSchema = z.object({
  messaging_product: z.literal('whatsapp'),
  contacts: z.array(z.object({ input: z.string(), wa_id: z.string().optional() }).loose()).default([]),
  messages: z
    .array(
      z
        .object({
          id: z.string().startsWith('wamid.'),
          // Template pacing: accepted | held_for_quality_assessment | paused (templates only).
          message_status: z.string().optional(),
        })
        .loose(),
    )
    .min(1),
});

export const mediaUploadResponseSchema = z.object({ id: z.string().min(1) });

export const mediaUrlResponseSchema = z
  .object({
    messaging_product: z.literal('whatsapp').optional(),
    url: z.url(),
    mime_type: z.string(),
    sha256: z.string(),
    // Documented as a number; some versions send it as a string.
    file_size: z.coerce.number().int().nonnegative(),
    id: z.string(),
  })
  .loose();

export const templateSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    language: z.string(),
    status: z.string(),
    category: z.string(),
    parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional(),
    components: z.array(z.object({ type: z.string() }).loose()).default([]),
  })
  .loose();

const pagingSchema = z
  .object({
    cursors: z.object({ before: z.string().optional(), after: z.string().optional() }).optional(),
    next: z.string().optional(),
    previous: z.string().optional(),
  })
  .optional();

export const templatesPageSchema = z.object({ data: z.array(templateSchema), paging: pagingSchema });

export const createTemplateResponseSchema = z.object({
  id: z.string(),
  status: z.string(),
  category: z.string(),
});

export const successResponseSchema = z.object({ success: z.boolean() });

export const phoneNumberSchema = z
  .object({
    id: z.string(),
    display_phone_number: z.string(),
    verified_name: z.string(),
    quality_rating: z.string().optional(),
    code_verification_status: z.string().optional(),
    platform_type: z.string().optional(),
    throughput: z.object({ level: z.string() }).optional(),
  })
  .loose();

export const phoneNumbersPageSchema = z.object({ data: z.array(phoneNumberSchema), paging: pagingSchema });

/** GET /debug_token?input_token=… (Graph API reference "Debug-Token"). `expires_at` 0 means never. */
export const debugTokenResponseSchema = z.object({
  data: z
    .object({
      app_id: z.string().optional(),
      type: z.string().optional(),
      application: z.string().optional(),
      is_valid: z.boolean(),
      expires_at: z.number().optional(),
      data_access_expires_at: z.number().optional(),
      scopes: z.array(z.string()).default([]),
      granular_scopes: z
        .array(z.object({ scope: z.string(), target_ids: z.array(z.string()).optional() }))
        .default([]),
      user_id: z.string().optional(),
      error: z.object({ code: z.number(), message: z.string(), subcode: z.number().optional() }).optional(),
    })
    .loose(),
});

export type SendMessageResponse = z.infer<typeof sendMessageResponseSchema>;
export type MediaUrl = z.infer<typeof mediaUrlResponseSchema>;
export type Template = z.infer<typeof templateSchema>;
export type PhoneNumber = z.infer<typeof phoneNumberSchema>;

/** Body of POST /{waba_id}/message_templates (Meta "Templates" reference). */
export const templateCreateSchema = z.object({
  name: z.string().regex(/^[a-z0-9_]{1,512}$/, 'lowercase letters, digits and underscores only'),
  language: z.string().min(2),
  category: z.enum(['MARKETING', 'UTILITY', 'AUTHENTICATION']),
  parameter_format: z.enum(['POSITIONAL', 'NAMED']).optional(),
  allow_category_change: z.boolean().optional(),
  components: z.array(z.object({ type: z.string() }).loose()).min(1),
});

export type TemplateCreate = z.input<typeof templateCreateSchema>;
