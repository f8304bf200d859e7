import { z } from 'zod';

/**
 * Bodies of POST /{phone_number_id}/messages (Meta Cloud API reference, "Messages"), as Parley sends them.
 * The client validates before sending; the simulator validates what it receives with the same schema.
 */

const oneSource = (media: { id?: string | undefined; link?: string | undefined }) =>
  (media.id === undefined) !== (media.link === undefined);
const oneSourceMessage = { message: 'Give exactly one of id or link' };

const mediaSource = { id: z.string().min(1).optional(), link: z.url().optional() };
const mediaObject = z.object(mediaSource).refine(oneSource, oneSourceMessage);
const captionedMedia = z
  .object({ ...mediaSource, caption: z.string().max(1024).optional() })
  .refine(oneSource, oneSourceMessage);
// Meta's "Audio messages": `voice: true` sends an Ogg Opus file as a voice message (microphone icon,
// automatic download, transcription, a "played" status).
const audioMedia = z
  .object({ ...mediaSource, voice: z.boolean().optional() })
  .refine(oneSource, oneSourceMessage);
const documentMedia = z
  .object({
    ...mediaSource,
    caption: z.string().max(1024).optional(),
    filename: z.string().max(240).optional(),
  })
  .refine(oneSource, oneSourceMessage);

const contactCard = z.object({
  name: z.object({
    formatted_name: z.string().min(1),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
    middle_name: z.string().optional(),
    suffix: z.string().optional(),
    prefix: z.string().optional(),
  }),
  phones: z
    .array(
      z.object({ phone: z.string().optional(), wa_id: z.string().optional(), type: z.string().optional() }),
    )
    .optional(),
  emails: z.array(z.object({ email: z.string().optional(), type: z.string().optional() })).optional(),
  org: z
    .object({
      company: z.string().optional(),
      department: z.string().optional(),
      title: z.string().optional(),
    })
    .optional(),
  urls: z.array(z.object({ url: z.string().optional(), type: z.string().optional() })).optional(),
  addresses: z.array(z.record(z.string(), z.string())).optional(),
  birthday: z.string().optional(),
});

const interactiveHeader = z.union([
  z.object({ type: z.literal('text'), text: z.string().max(60) }),
  z.object({ type: z.literal('image'), image: mediaObject }),
  z.object({ type: z.literal('video'), video: mediaObject }),
  z.object({ type: z.literal('document'), document: mediaObject }),
]);

const interactiveText = z.object({ text: z.string().min(1) });

const interactive = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('button'),
    header: interactiveHeader.optional(),
    body: z.object({ text: z.string().min(1).max(1024) }),
    footer: z.object({ text: z.string().max(60) }).optional(),
    action: z.object({
      buttons: z
        .array(
          z.object({
            type: z.literal('reply'),
            reply: z.object({ id: z.string().min(1).max(256), title: z.string().min(1).max(20) }),
          }),
        )
        .min(1)
        .max(3),
    }),
  }),
  z.object({
    type: z.literal('list'),
    header: z.object({ type: z.literal('text'), text: z.string().max(60) }).optional(),
    body: z.object({ text: z.string().min(1).max(4096) }),
    footer: z.object({ text: z.string().max(60) }).optional(),
    action: z.object({
      button: z.string().min(1).max(20),
      sections: z
        .array(
          z.object({
            title: z.string().max(24).optional(),
            rows: z
              .array(
                z.object({
                  id: z.string().min(1).max(200),
                  title: z.string().min(1).max(24),
                  description: z.string().max(72).optional(),
                }),
              )
              .min(1),
          }),
        )
        .min(1)
        .max(10),
    }),
  }),
  z.object({
    type: z.literal('cta_url'),
    header: interactiveHeader.optional(),
    body: interactiveText,
    footer: interactiveText.optional(),
    action: z.object({
      name: z.literal('cta_url'),
      parameters: z.object({ display_text: z.string().min(1).max(20), url: z.url() }),
    }),
  }),
]);

const templateParameter = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text'), text: z.string(), parameter_name: z.string().optional() }),
  z.object({
    type: z.literal('currency'),
    currency: z.object({ fallback_value: z.string(), code: z.string(), amount_1000: z.number().int() }),
    parameter_name: z.string().optional(),
  }),
  z.object({
    type: z.literal('date_time'),
    date_time: z.object({ fallback_value: z.string() }),
    parameter_name: z.string().optional(),
  }),
  z.object({ type: z.literal('image'), image: mediaObject }),
  z.object({ type: z.literal('video'), video: mediaObject }),
  z.object({ type: z.literal('document'), document: documentMedia }),
  z.object({
    type: z.literal('location'),
    location: z.object({
      latitude: z.number(),
      longitude: z.number(),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  z.object({ type: z.literal('payload'), payload: z.string() }),
  z.object({ type: z.literal('coupon_code'), coupon_code: z.string() }),
]);

export const templateComponentSchema = z.object({
  type: z.enum(['header', 'body', 'button', 'footer']),
  sub_type: z.enum(['quick_reply', 'url', 'copy_code', 'flow']).optional(),
  index: z.union([z.number().int().min(0), z.string().regex(/^\d+$/)]).optional(),
  parameters: z.array(templateParameter).default([]),
});

const base = {
  messaging_product: z.literal('whatsapp').default('whatsapp'),
  recipient_type: z.literal('individual').optional(),
  /** Recipient phone number (any formatting; Meta normalises) or wa_id. */
  to: z.string().min(1),
  /** Quote an earlier message. */
  context: z.object({ message_id: z.string().min(1) }).optional(),
  biz_opaque_callback_data: z.string().max(512).optional(),
};

export const outboundMessageSchema = z.discriminatedUnion('type', [
  z.object({
    ...base,
    type: z.literal('text'),
    text: z.object({ body: z.string().min(1).max(4096), preview_url: z.boolean().optional() }),
  }),
  z.object({ ...base, type: z.literal('image'), image: captionedMedia }),
  z.object({ ...base, type: z.literal('video'), video: captionedMedia }),
  z.object({ ...base, type: z.literal('audio'), audio: audioMedia }),
  z.object({ ...base, type: z.literal('sticker'), sticker: mediaObject }),
  z.object({
    ...base,
    type: z.literal('document'),
    document: documentMedia,
  }),
  z.object({
    ...base,
    type: z.literal('location'),
    location: z.object({
      latitude: z.number().min(-90).max(90),
      longitude: z.number().min(-180).max(180),
      name: z.string().optional(),
      address: z.string().optional(),
    }),
  }),
  z.object({ ...base, type: z.literal('contacts'), contacts: z.array(contactCard).min(1) }),
  z.object({ ...base, type: z.literal('interactive'), interactive }),
  z.object({
    ...base,
    type: z.literal('reaction'),
    // An empty emoji removes the business's earlier reaction.
    reaction: z.object({ message_id: z.string().min(1), emoji: z.string() }),
  }),
  z.object({
    ...base,
    type: z.literal('template'),
    template: z.object({
      name: z.string().min(1).max(512),
      language: z.object({ code: z.string().min(2), policy: z.literal('deterministic').optional() }),
      components: z.array(templateComponentSchema).optional(),
    }),
  }),
]);

/** What callers pass (messaging_product may be left out). */
export type OutboundMessage = z.input<typeof outboundMessageSchema>;
/** What goes over the wire. */
export type OutboundMessageBody = z.output<typeof outboundMessageSchema>;
export type OutboundMessageType = OutboundMessageBody['type'];

/** Meta's "Param …" style detail for the first problem, e.g. `Param text['body'] is required`. */
export function describePayloadProblem(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'Invalid parameter';
  const path = issue.path.map((part, index) => (index === 0 ? String(part) : `['${String(part)}']`)).join('');
  return path ? `Param ${path}: ${issue.message}` : issue.message;
}
