import type { z } from 'zod';
import { issueSentence, readableZodError } from '../../../server/trpc/zod-messages.ts';

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

/**
 * Like zodResolver, with each problem beside the nested input it concerns (`header.text`,
 * `buttons.1.url`, `examples.2`) and also on its top-level field, for forms of nested values.
 */
export function nestedZodResolver(schema: z.ZodType) {
  return (values: unknown): Record<string, string> => {
    const result = schema.safeParse(values);
    if (result.success) return {};
    const errors: Record<string, string> = {};
    for (const issue of result.error.issues) {
      const sentence = issueSentence(issue);
      const path = issue.path.map(String);
      for (let depth = path.length; depth >= 1; depth -= 1)
        errors[path.slice(0, depth).join('.')] ??= sentence;
      if (path.length === 0) errors.form ??= sentence;
    }
    return errors;
  };
}
