import { z } from 'zod';
import { text } from '../../trpc/text.ts';

export const maxNoteLength = 4000;

/** A note's text: plain, mentions written "<@user id>" (mentions.ts). */
export const noteBody = text({ min: 1, max: maxNoteLength, tooShort: 'Write something in the note.' });

export const noteInput = z.object({ conversationId: z.uuid(), body: noteBody });

export const noteEditInput = z.object({ id: z.uuid(), body: noteBody });

const personSchema = z.object({ id: z.string(), name: z.string() });

/** An internal note as the thread shows it: never sent to WhatsApp. */
export const noteSchema = z.object({
  id: z.string(),
  conversationId: z.string(),
  body: z.string(),
  /** Who wrote it; null when they have left the workspace. */
  author: personSchema.nullable(),
  /** The members it mentions who are still members (names for the body's "<@id>" tokens). */
  mentions: z.array(personSchema),
  createdAt: z.string(),
  /** When its text was last changed (by its author or an admin); null if never. */
  editedAt: z.string().nullable(),
});
export type Note = z.infer<typeof noteSchema>;
