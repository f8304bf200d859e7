import { z } from 'zod';
import { text } from '../../trpc/text.ts';

/** "/shortcut" in the composer: letters, digits, "-" and "_"; stored lower case, without the slash. */
export const shortcutSchema = z
  .string()
  .trim()
  .transform((value) => value.replace(/^\//, '').toLowerCase())
  .pipe(
    z
      .string()
      .min(1, 'Shortcut is required.')
      .max(32, 'Shortcut must be at most 32 characters.')
      .regex(/^[a-z0-9][a-z0-9_-]*$/, 'Shortcut: use letters, digits, "-" and "_" only (no spaces).'),
  );

export const cannedBody = text({ min: 1, max: 4096, tooShort: 'Text is required.' });

export const cannedResponseInput = z.object({ shortcut: shortcutSchema, body: cannedBody });

export const cannedResponseSchema = z.object({
  id: z.string(),
  shortcut: z.string(),
  body: z.string(),
  updatedAt: z.string(),
});
export type CannedResponse = z.infer<typeof cannedResponseSchema>;
