import { z } from 'zod';
import { text } from '../../trpc/text.ts';

/**
 * What an agent fills in for each send type: the procedures' inputs and the composer's forms (the
 * client validates with these same schemas). Limits are Meta's (Cloud API reference, "Messages":
 * text, interactive, location, contacts, reaction objects); payload-builders.ts turns each into the
 * message object Meta expects.
 */

/** Meta's limit for a text message body (text.body, 4096 characters). */
export const maxTextLength = 4096;

export const replyTextSchema = text({
  min: 1,
  max: maxTextLength,
  tooShort: 'Write a message.',
  tooLong: `A WhatsApp message can have at most ${maxTextLength} characters.`,
});

const required = (max: number, what: string) =>
  text({
    min: 1,
    max,
    tooShort: `${what} is required.`,
    tooLong: `${what} can have at most ${max} characters.`,
  });
const optional = (max: number, what: string) =>
  text({ max, tooLong: `${what} can have at most ${max} characters.` }).optional();

/** Every send names its conversation, and may quote an earlier message of it (context.message_id). */
const target = {
  conversationId: z.uuid(),
  /** Parley's id of the message this one replies to (shown quoted above it). */
  replyToId: z.uuid().optional(),
};

export const sendTextInput = z.object({
  ...target,
  text: replyTextSchema,
  /** Let WhatsApp render a preview of the first URL in the text. */
  previewUrl: z.boolean().default(false),
});

const interactiveBody = required(1024, 'The message text');
const interactiveFooter = optional(60, 'The footer');
const interactiveHeader = optional(60, 'The header');

export const sendButtonsInput = z.object({
  ...target,
  header: interactiveHeader,
  body: interactiveBody,
  footer: interactiveFooter,
  buttons: z
    .array(z.object({ title: required(20, 'A button title') }))
    .min(1, 'Add at least one button.')
    .max(3, 'WhatsApp allows at most 3 reply buttons.')
    .refine((buttons) => new Set(buttons.map((b) => b.title.toLowerCase())).size === buttons.length, {
      message: 'Each button needs a different title.',
    }),
});

export const maxListRows = 10;

export const sendListInput = z
  .object({
    ...target,
    header: interactiveHeader,
    body: required(4096, 'The message text'),
    footer: interactiveFooter,
    button: required(20, 'The button label'),
    sections: z
      .array(
        z.object({
          title: optional(24, 'A section title'),
          rows: z
            .array(
              z.object({
                title: required(24, 'A row title'),
                description: optional(72, 'A row description'),
              }),
            )
            .min(1, 'Each section needs at least one row.'),
        }),
      )
      .min(1, 'Add at least one section.')
      .max(10, 'A list can have at most 10 sections.'),
  })
  .refine((list) => list.sections.flatMap((s) => s.rows).length <= maxListRows, {
    message: `A list can have at most ${maxListRows} rows in all.`,
    path: ['sections'],
  })
  .refine((list) => list.sections.length === 1 || list.sections.every((s) => s.title), {
    message: 'With several sections, each needs a title.',
    path: ['sections'],
  });

export const sendCtaUrlInput = z.object({
  ...target,
  header: interactiveHeader,
  body: interactiveBody,
  footer: interactiveFooter,
  displayText: required(20, 'The button label'),
  url: z.url({ protocol: /^https?$/, error: 'Enter a web address starting with https://.' }),
});

export const sendLocationInput = z.object({
  ...target,
  latitude: z.number().min(-90, 'Latitude is between -90 and 90.').max(90, 'Latitude is between -90 and 90.'),
  longitude: z
    .number()
    .min(-180, 'Longitude is between -180 and 180.')
    .max(180, 'Longitude is between -180 and 180.'),
  name: optional(1000, 'The place name'),
  address: optional(1000, 'The address'),
});

export const sendContactsInput = z.object({
  ...target,
  contacts: z
    .array(
      z.object({
        name: required(200, 'A contact name'),
        /** Empty means none (forms send empty fields). */
        phone: z
          .union([
            z.literal(''),
            z
              .string()
              .trim()
              .regex(/^\+?[\d\s()-]{6,20}$/, 'Enter a phone number such as +1 555 010 1234.'),
          ])
          .optional(),
        email: z.union([z.literal(''), z.email('Enter a valid email address.')]).optional(),
        company: optional(200, 'The company'),
      }),
    )
    .min(1, 'Add at least one contact.')
    .max(10, 'Share at most 10 contacts at once.'),
});

export const sendReactionInput = z.object({
  conversationId: z.uuid(),
  /** The message reacted to (Parley's id). */
  messageId: z.uuid(),
  /** One emoji; empty removes the business's reaction. */
  emoji: z
    .string()
    .trim()
    .max(16, 'React with one emoji.')
    .refine((value) => value === '' || /^\p{Extended_Pictographic}/u.test(value), 'React with one emoji.'),
});

export const markReadInput = z.object({
  conversationId: z.uuid(),
  /** Show "typing…" to the customer until the reply is sent (or 25 s pass). */
  typing: z.boolean().default(false),
});

/** Every send answers at once: the message is stored and its send job committed with it. */
export const queuedOutput = z.object({ id: z.string(), status: z.literal('queued') });

export type SendTextInput = z.input<typeof sendTextInput>;
export type SendButtonsInput = z.input<typeof sendButtonsInput>;
export type SendListInput = z.input<typeof sendListInput>;
export type SendCtaUrlInput = z.input<typeof sendCtaUrlInput>;
export type SendLocationInput = z.input<typeof sendLocationInput>;
export type SendContactsInput = z.input<typeof sendContactsInput>;
export type SendReactionInput = z.input<typeof sendReactionInput>;
