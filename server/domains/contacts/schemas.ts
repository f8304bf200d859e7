import { z } from 'zod';
import { conversationStatus } from '../conversations/status.ts';

/** What the team keeps about a contact beyond WhatsApp's profile (issue 21). */
const contactBookFields = {
  tags: z.array(z.string()),
  /** Custom attribute values keyed by attribute key (numbers, booleans, 'YYYY-MM-DD' dates, text). */
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  /** ISO 3166-1 alpha-2, derived from the phone number. */
  country: z.string().nullable(),
  email: z.string().nullable(),
  notes: z.string().nullable(),
  optedInAt: z.string().nullable(),
  optInSource: z.string().nullable(),
  optedOutAt: z.string().nullable(),
  optOutSource: z.string().nullable(),
};

/** A contact as the contact panel shows it, with every conversation the workspace had with them. */
export const contactSchema = z.object({
  id: z.string(),
  /** What agents call them: the name an agent gave, else their WhatsApp profile name. */
  name: z.string().nullable(),
  /** The name an agent gave (null: none, the profile name shows). */
  agentName: z.string().nullable(),
  /** Their WhatsApp profile name, as the customer set it. */
  profileName: z.string().nullable(),
  /** Phone number in international form without "+" (Meta's wa_id); null for a username-only contact. */
  waId: z.string().nullable(),
  /** Business-scoped user id (Meta's BSUID). */
  bsuid: z.string().nullable(),
  username: z.string().nullable(),
  /** When the workspace first heard from or wrote to them. */
  firstSeenAt: z.string(),
  ...contactBookFields,
  /** One per business number they talked to, most recent first. */
  conversations: z.array(
    z.object({
      id: z.string(),
      status: conversationStatus,
      lastMessageAt: z.string().nullable(),
      lastMessagePreview: z.string().nullable(),
      /** The business number, as Meta displays it. */
      businessNumber: z.string(),
    }),
  ),
});
export type Contact = z.infer<typeof contactSchema>;

/** contact.rename: a name of 1 to 120 characters, or null to show the WhatsApp profile name again. */
export const renameContactSchema = z.object({
  id: z.uuid(),
  name: z
    .string()
    .trim()
    .min(1, 'Enter a name, or clear it to use the WhatsApp profile name.')
    .max(120, 'Names are at most 120 characters.')
    .nullable(),
});

/** A custom attribute's key: how values are keyed in contacts.attributes and CSV columns name it. */
export const attributeKeySchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{0,39}$/,
    'Attribute keys are 1 to 40 lower-case letters, digits or _, starting with a letter.',
  );

export const attributeTypes = ['text', 'number', 'date', 'boolean', 'list'] as const;
export const attributeTypeSchema = z.enum(attributeTypes);

const tagSchema = z
  .string()
  .trim()
  .min(1, 'Tags cannot be empty.')
  .max(50, 'Tags are at most 50 characters.');

/**
 * One condition on a custom attribute. Values compare as stored: numbers as numbers, dates as
 * 'YYYY-MM-DD' text, booleans as booleans, list and text values as text.
 * - is / isNot: equal (or not) to the value;
 * - contains: text containing the value, case-insensitively;
 * - gt / gte / lt / lte: numbers (value a number) or dates (value 'YYYY-MM-DD');
 * - in: one of the values (lists, text);
 * - set / notSet: the contact has (or lacks) a value.
 */
export const attributeConditionSchema = z.discriminatedUnion('op', [
  z.object({
    key: attributeKeySchema,
    op: z.enum(['is', 'isNot']),
    value: z.union([z.string().max(500), z.number(), z.boolean()]),
  }),
  z.object({ key: attributeKeySchema, op: z.literal('contains'), value: z.string().min(1).max(500) }),
  z.object({
    key: attributeKeySchema,
    op: z.enum(['gt', 'gte', 'lt', 'lte']),
    value: z.union([z.number(), z.iso.date()]),
  }),
  z.object({
    key: attributeKeySchema,
    op: z.literal('in'),
    value: z.array(z.string().max(500)).min(1).max(200),
  }),
  z.object({ key: attributeKeySchema, op: z.enum(['set', 'notSet']) }),
]);
export type AttributeCondition = z.infer<typeof attributeConditionSchema>;

/**
 * Which contacts: every field narrows (AND); an empty filter is every contact. The contacts table
 * and campaign segments share it (contactFilterCondition in queries.ts turns it into SQL).
 */
export const contactFilterSchema = z.object({
  /** Name (agent's or profile), phone digits or email, case-insensitively. */
  search: z.string().trim().max(200).optional(),
  tags: z
    .object({
      /** At least one of these tags. */
      any: z.array(tagSchema).max(100).optional(),
      /** Every one of these tags. */
      all: z.array(tagSchema).max(100).optional(),
      /** None of these tags. */
      none: z.array(tagSchema).max(100).optional(),
    })
    .optional(),
  attributes: z.array(attributeConditionSchema).max(50).optional(),
  /** true: opted in (and not opted out since); false: never opted in, or opted out. */
  optedIn: z.boolean().optional(),
  /** true: opted out; false: not opted out. */
  optedOut: z.boolean().optional(),
  /** ISO 3166-1 alpha-2 codes; contacts whose country is unknown match none. */
  countries: z
    .array(z.string().regex(/^[A-Z]{2}$/, 'Countries are two-letter ISO codes, like DE or BR.'))
    .max(250)
    .optional(),
  /** Wrote to the workspace (on any number) at or after this time. */
  lastInboundAfter: z.iso.datetime({ offset: true }).optional(),
  /** Has not written since this time (including contacts who never wrote). */
  lastInboundBefore: z.iso.datetime({ offset: true }).optional(),
});
export type ContactFilter = z.infer<typeof contactFilterSchema>;

export const attributeValueSchema = z.union([z.string().max(1000), z.number(), z.boolean()]).nullable();
export type AttributeValue = z.infer<typeof attributeValueSchema>;

/** A custom attribute the workspace defines for its contacts. */
export const attributeDefinitionSchema = z.object({
  key: z.string(),
  label: z.string(),
  type: attributeTypeSchema,
  /** The choices of a list attribute; null for other types. */
  options: z.array(z.string()).nullable(),
});
export type AttributeDefinition = z.infer<typeof attributeDefinitionSchema>;

const optionsSchema = z
  .array(z.string().trim().min(1, 'Options cannot be empty.').max(100, 'Options are at most 100 characters.'))
  .min(1, 'A list needs at least one option.')
  .max(200, 'A list has at most 200 options.');

export const createAttributeSchema = z.object({
  key: attributeKeySchema,
  label: z.string().trim().min(1, 'Give the attribute a label.').max(80, 'Labels are at most 80 characters.'),
  type: attributeTypeSchema,
  options: optionsSchema.optional(),
});
export const updateAttributeSchema = createAttributeSchema.omit({ type: true });

/** One row of the contacts table. */
export const contactRowSchema = z.object({
  id: z.string(),
  name: z.string().nullable(),
  waId: z.string().nullable(),
  bsuid: z.string().nullable(),
  firstSeenAt: z.string(),
  lastInboundAt: z.string().nullable(),
  ...contactBookFields,
});
export type ContactRow = z.infer<typeof contactRowSchema>;

export const listContactsSchema = z.object({
  filter: contactFilterSchema.default({}),
  /** The last id of the previous page (contacts come newest first). */
  cursor: z.uuid().nullish(),
  limit: z.number().int().min(1).max(200).default(50),
});

const emailSchema = z.email('Enter a valid email address.').max(320).nullable();
const notesSchema = z.string().max(10000, 'Notes are at most 10,000 characters.').nullable();
const nameSchema = z
  .string()
  .trim()
  .min(1, 'Enter a name, or leave it empty.')
  .max(120, 'Names are at most 120 characters.')
  .nullable();

export const createContactSchema = z.object({
  /** As written ("+49 151 …", or national with the workspace's default country). */
  phone: z.string().max(40),
  name: nameSchema.optional(),
  email: emailSchema.optional(),
  notes: notesSchema.optional(),
  tags: z.array(tagSchema).max(100).optional(),
  attributes: z.record(z.string(), attributeValueSchema).optional(),
  /** Where the consent came from ("web form", "in store"); opts the contact in now. */
  optInSource: z.string().trim().min(1).max(200).optional(),
});

export const updateContactSchema = z.object({
  id: z.uuid(),
  name: nameSchema.optional(),
  email: emailSchema.optional(),
  notes: notesSchema.optional(),
  /** The whole set of tags (replaces). */
  tags: z.array(tagSchema).max(100).optional(),
  /** Values to set; null removes one. Other attributes stay. */
  attributes: z.record(z.string(), attributeValueSchema).optional(),
});

/** contact.tag: tags added to and removed from the chosen contacts (the table's bulk action). */
export const retagContactsSchema = z
  .object({
    ids: z.array(z.uuid()).min(1, 'Choose at least one contact.').max(500, 'At most 500 contacts at once.'),
    add: z.array(tagSchema).max(20).default([]),
    remove: z.array(tagSchema).max(20).default([]),
  })
  .refine((v) => v.add.length + v.remove.length > 0, { message: 'Choose a tag to add or remove.' });

export const optSchema = z.object({
  id: z.uuid(),
  /** Where the consent (or its withdrawal) came from: "phone call", "web form", … */
  source: z.string().trim().min(1, 'Say where this came from.').max(200),
});

export const mergeContactsSchema = z.object({
  /** The contact that stays. */
  survivorId: z.uuid(),
  /** The duplicate: its conversations, messages, numbers, tags and attributes move to the survivor. */
  duplicateId: z.uuid(),
});

export const contactSettingsSchema = z.object({
  defaultCountry: z
    .string()
    .regex(/^[A-Z]{2}$/, 'Choose a country (two-letter ISO code, like DE).')
    .nullable(),
  optOutKeywords: z
    .array(z.string().trim().min(1).max(40, 'Keywords are at most 40 characters.'))
    .max(50, 'At most 50 keywords.'),
});
