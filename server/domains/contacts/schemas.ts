import { z } from 'zod';
import { conversationStatus } from '../conversations/queries.ts';

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
