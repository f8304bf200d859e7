import type { z } from 'zod';
import { readableZodError } from '../../../server/trpc/zod-messages.ts';

/**
 * @mantine/form validation from the server's own input schema, worded as the server words it: the
 * same sentence appears whether the browser or the server catches a problem. (Mantine's
 * schemaResolver would show zod's developer wording, such as "Too big: expected string…".)
 */
export function zodResolver(schema: z.ZodType) {
  return (values: unknown): Record<string, string> => {
    const result = schema.safeParse(values);
    if (result.success) return {};
    const { fieldErrors, formErrors } = readableZodError(result.error.issues);
    const errors: Record<string, string> = {};
    for (const [field, sentences] of Object.entries(fieldErrors)) {
      if (sentences[0]) errors[field] = sentences[0];
    }
    if (formErrors[0]) errors.form = formErrors[0];
    return errors;
  };
}
