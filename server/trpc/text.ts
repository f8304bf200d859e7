import { z } from 'zod';

/**
 * Control characters other than tab, newline and carriage return: NUL above all (PostgreSQL cannot
 * store it), and the rest a person cannot see.
 */
const controlCharacter = /(?![\t\n\r])\p{Cc}/u;

/** Why `value` cannot be stored as text (a phrase to follow a field's name), or null when it can. */
export function textProblem(value: string): string | null {
  if (!value.isWellFormed()) return 'contains an invalid character (a broken emoji or symbol)';
  if (controlCharacter.test(value)) return 'contains an invisible control character';
  return null;
}

/**
 * The string schema for text a user types (names, reasons, filters): trimmed, bounded, and free of
 * characters the database cannot store or a person cannot see. Messages that start in lower case
 * name no field: the error formatter puts the field's name in front ("Name must be at most …").
 */
export function text(options: { max: number; min?: number; tooShort?: string; tooLong?: string }) {
  const { max, min = 0, tooShort, tooLong } = options;
  const schema = z
    .string()
    .trim()
    .refine((value) => textProblem(value) === null, {
      error: (issue) => `${textProblem(String(issue.input)) ?? 'is not valid'}.`,
      abort: true,
    })
    .max(max, tooLong ?? `must be at most ${max} characters.`);
  return min > 0 ? schema.min(min, tooShort ?? `must be at least ${min} characters.`) : schema;
}
