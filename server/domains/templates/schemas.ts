import { z } from 'zod';
import { text } from '../../trpc/text.ts';

/**
 * The template builder's input and Meta's rules for it (WhatsApp Cloud API, "Templates": components,
 * limits, variables and buttons), checked before anything is submitted, with sentences an agent can
 * act on. The client's form validates with the same schema.
 */

export const templateCategories = ['MARKETING', 'UTILITY', 'AUTHENTICATION'] as const;
export const headerFormats = ['none', 'text', 'image', 'video', 'document'] as const;
export const buttonTypes = ['QUICK_REPLY', 'URL', 'PHONE_NUMBER', 'COPY_CODE', 'FLOW'] as const;

export const limits = {
  name: 512,
  headerText: 60,
  body: 1024,
  footer: 60,
  buttonText: 25,
  buttons: 10,
  url: 2000,
  copyCode: 15,
  perType: { QUICK_REPLY: 10, URL: 2, PHONE_NUMBER: 1, COPY_CODE: 1, FLOW: 1 },
} as const;

/** {{1}} or {{order_id}}, with optional spaces as Meta tolerates. */
export const variablePattern = /\{\{\s*([^{}\s]*)\s*\}\}/g;

/** The variables of a text, in order of appearance (repeats kept once). */
export function variablesOf(value: string): string[] {
  return [...new Set([...value.matchAll(variablePattern)].map((match) => match[1] ?? ''))];
}

const buttonLabel = text({
  min: 1,
  max: limits.buttonText,
  tooShort: 'Give the button a label.',
  tooLong: `A button label can have at most ${limits.buttonText} characters.`,
});

export const templateButtonSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('QUICK_REPLY'), text: buttonLabel }),
  z.object({
    type: z.literal('URL'),
    text: buttonLabel,
    url: z
      .string()
      .trim()
      .max(limits.url)
      .regex(/^https:\/\/[^\s]+$/, 'A URL button needs an address starting with https://.'),
    /** The full example URL when the address ends with a {{1}} suffix. */
    example: z.string().trim().max(limits.url).optional(),
  }),
  z.object({
    type: z.literal('PHONE_NUMBER'),
    text: buttonLabel,
    phoneNumber: z
      .string()
      .trim()
      .regex(/^\+?[0-9 ()-]{6,20}$/, 'The phone number must be digits in international format.'),
  }),
  z.object({
    type: z.literal('COPY_CODE'),
    example: z
      .string()
      .trim()
      .min(1, 'A copy-code button needs an example code.')
      .max(limits.copyCode, `A code can have at most ${limits.copyCode} characters.`),
  }),
  z.object({
    type: z.literal('FLOW'),
    text: buttonLabel,
    flowId: z
      .string()
      .trim()
      .regex(/^\d{1,20}$/, 'A flow id is the number Meta gave the flow.'),
  }),
]);
export type TemplateButton = z.infer<typeof templateButtonSchema>;

export const templateHeaderSchema = z.discriminatedUnion('format', [
  z.object({ format: z.literal('none') }),
  z.object({
    format: z.literal('text'),
    text: text({
      min: 1,
      max: limits.headerText,
      tooShort: 'Write the header, or choose no header.',
      tooLong: `A header can have at most ${limits.headerText} characters.`,
    }),
    example: z.string().trim().max(limits.headerText).optional(),
  }),
  ...(['image', 'video', 'document'] as const).map((format) =>
    z.object({
      format: z.literal(format),
      /** A sample file's address (or an upload handle) Meta's reviewers see. */
      example: z
        .string()
        .trim()
        .min(1, `A ${format} header needs a sample ${format} (its https address).`)
        .max(limits.url),
    }),
  ),
]);

const bodyText = text({
  min: 1,
  max: limits.body,
  tooShort: 'Write the message body.',
  tooLong: `A template body can have at most ${limits.body} characters.`,
});

export const templateDraftSchema = z
  .object({
    channelId: z.uuid(),
    name: z
      .string()
      .trim()
      .min(1, 'Give the template a name.')
      .max(limits.name)
      .regex(/^[a-z0-9_]+$/, 'A template name may only have lowercase letters, digits and underscores.'),
    language: z
      .string()
      .trim()
      .regex(/^[a-z]{2,3}(_[A-Z]{2,4})?$/, 'Choose a language code such as en_US or de.'),
    category: z.enum(templateCategories, 'Choose marketing, utility or authentication.'),
    header: templateHeaderSchema.default({ format: 'none' }),
    body: bodyText,
    /** Example values for the body's variables, by variable ("1", "2" … or "first_name"). */
    examples: z.record(z.string(), z.string().trim().max(200)).default({}),
    footer: z
      .string()
      .trim()
      .max(limits.footer, `A footer can have at most ${limits.footer} characters.`)
      .optional(),
    buttons: z
      .array(templateButtonSchema)
      .max(limits.buttons, `A template can have at most ${limits.buttons} buttons.`)
      .default([]),
  })
  .superRefine((draft, context) => {
    for (const problem of draftProblems(draft)) {
      context.addIssue({ code: 'custom', message: problem.message, path: problem.path });
    }
  });

export type TemplateDraft = z.infer<typeof templateDraftSchema>;
export type TemplateDraftInput = z.input<typeof templateDraftSchema>;

interface Problem {
  path: (string | number)[];
  message: string;
}

/** Variables of one text: one kind, sequential when positional, never at the very start or end. */
function variableProblems(value: string, where: string, path: (string | number)[]): Problem[] {
  const names = variablesOf(value);
  if (names.length === 0) return [];
  const problems: Problem[] = [];
  const positional = names.every((name) => /^\d+$/.test(name));
  const named = names.every((name) => /^[a-z][a-z0-9_]*$/.test(name));
  if (!positional && !named) {
    problems.push({
      path,
      message: `The ${where}'s variables must be all numbers ({{1}}, {{2}}) or all names in lowercase letters, digits and underscores ({{first_name}}).`,
    });
    return problems;
  }
  if (positional) {
    const sorted = names.map(Number).sort((a, b) => a - b);
    if (sorted.some((n, index) => n !== index + 1)) {
      problems.push({
        path,
        message: `The ${where}'s variables must be numbered in sequence from {{1}}, without gaps.`,
      });
    }
  }
  const trimmed = value.trim();
  if (/^\{\{[^{}]*\}\}/.test(trimmed) || /\{\{[^{}]*\}\}[.!?]?$/.test(trimmed)) {
    problems.push({ path, message: `The ${where} cannot start or end with a variable.` });
  }
  if (/\}\}\s*\{\{/.test(value)) {
    problems.push({ path, message: `Put words or punctuation between two variables of the ${where}.` });
  }
  return problems;
}

/** Meta's rules that span fields: variables, examples, and how buttons may be mixed. */
export function draftProblems(draft: z.output<typeof templateDraftSchema>): Problem[] {
  const problems: Problem[] = variableProblems(draft.body, 'body', ['body']);
  const bodyVariables = variablesOf(draft.body);
  for (const name of bodyVariables) {
    if (!draft.examples[name]) {
      problems.push({ path: ['examples', name], message: `Give an example for {{${name}}}.` });
    }
  }
  if (draft.header.format === 'text') {
    const headerVariables = variablesOf(draft.header.text);
    if (headerVariables.length > 1) {
      problems.push({ path: ['header', 'text'], message: 'A header can have at most one variable.' });
    } else if (headerVariables.length === 1) {
      const [variable] = headerVariables;
      const kindOfBody = bodyVariables.length > 0 && /^\d+$/.test(bodyVariables[0] ?? '');
      if (bodyVariables.length > 0 && /^\d+$/.test(variable ?? '') !== kindOfBody) {
        problems.push({
          path: ['header', 'text'],
          message: 'The header and the body must use the same kind of variables (numbers or names).',
        });
      }
      if (/^\d+$/.test(variable ?? '') && variable !== '1') {
        problems.push({ path: ['header', 'text'], message: "The header's variable must be {{1}}." });
      }
      if (!draft.header.example) {
        problems.push({ path: ['header', 'example'], message: "Give an example for the header's variable." });
      }
    }
  }
  if (draft.footer && variablesOf(draft.footer).length > 0) {
    problems.push({ path: ['footer'], message: 'A footer cannot have variables.' });
  }
  problems.push(...buttonProblems(draft.buttons, draft.category));
  if (draft.category === 'AUTHENTICATION') {
    if (draft.header.format !== 'none' && draft.header.format !== 'text') {
      problems.push({ path: ['header'], message: 'Authentication templates cannot have a media header.' });
    }
    if (!draft.buttons.some((button) => button.type === 'COPY_CODE')) {
      problems.push({ path: ['buttons'], message: 'Authentication templates need a copy-code button.' });
    }
  }
  return problems;
}

function buttonProblems(buttons: TemplateButton[], category: string): Problem[] {
  const problems: Problem[] = [];
  for (const [type, max] of Object.entries(limits.perType)) {
    const count = buttons.filter((button) => button.type === type).length;
    if (count > max) {
      problems.push({
        path: ['buttons'],
        message: `A template can have at most ${max} ${buttonNames[type as TemplateButton['type']]} button${max === 1 ? '' : 's'}.`,
      });
    }
  }
  // Quick replies and the other buttons must each stay together (Meta: "buttons must be grouped").
  const kinds = buttons.map((button) => (button.type === 'QUICK_REPLY' ? 'quick' : 'other'));
  const switches = kinds.filter((kind, index) => index > 0 && kind !== kinds[index - 1]).length;
  if (switches > 1) {
    problems.push({
      path: ['buttons'],
      message: 'Keep quick-reply buttons together, before or after the other buttons.',
    });
  }
  const labels = buttons.flatMap((button) => ('text' in button ? [button.text] : []));
  if (new Set(labels).size !== labels.length) {
    problems.push({ path: ['buttons'], message: 'Two buttons cannot have the same label.' });
  }
  buttons.forEach((button, index) => {
    if (button.type !== 'URL') return;
    const variables = variablesOf(button.url);
    if (variables.length === 0) return;
    if (variables.length > 1 || variables[0] !== '1' || !/\{\{1\}\}$/.test(button.url)) {
      problems.push({
        path: ['buttons', index, 'url'],
        message: 'A URL button can only have one variable, {{1}}, at the end of the address.',
      });
    } else if (!button.example) {
      problems.push({
        path: ['buttons', index, 'example'],
        message: 'Give an example of the full address for the URL button.',
      });
    }
  });
  if (category === 'AUTHENTICATION' && buttons.some((b) => b.type !== 'COPY_CODE')) {
    problems.push({
      path: ['buttons'],
      message: 'Authentication templates can only have a copy-code button.',
    });
  }
  return problems;
}

export const buttonNames: Record<TemplateButton['type'], string> = {
  QUICK_REPLY: 'quick-reply',
  URL: 'link',
  PHONE_NUMBER: 'call',
  COPY_CODE: 'copy-code',
  FLOW: 'flow',
};

/** Meta's component list (POST /{waba_id}/message_templates) for a valid draft. */
export function graphTemplateBody(draft: TemplateDraft) {
  const bodyVariables = variablesOf(draft.body);
  const named = bodyVariables.some((name) => !/^\d+$/.test(name));
  const components: { type: string; [key: string]: unknown }[] = [];
  const header = draft.header;
  if (header.format === 'text') {
    const [variable] = variablesOf(header.text);
    const example = variable
      ? named
        ? { header_text_named_params: [{ param_name: variable, example: header.example }] }
        : { header_text: [header.example] }
      : undefined;
    components.push({ type: 'HEADER', format: 'TEXT', text: header.text, ...(example ? { example } : {}) });
  } else if (header.format !== 'none') {
    components.push({
      type: 'HEADER',
      format: header.format.toUpperCase(),
      example: { header_handle: [header.example] },
    });
  }
  const bodyExample =
    bodyVariables.length === 0
      ? undefined
      : named
        ? {
            body_text_named_params: bodyVariables.map((name) => ({
              param_name: name,
              example: draft.examples[name],
            })),
          }
        : { body_text: [bodyVariables.map((name) => draft.examples[name])] };
  components.push({ type: 'BODY', text: draft.body, ...(bodyExample ? { example: bodyExample } : {}) });
  if (draft.footer) components.push({ type: 'FOOTER', text: draft.footer });
  if (draft.buttons.length > 0) {
    components.push({ type: 'BUTTONS', buttons: draft.buttons.map(graphButton) });
  }
  return {
    name: draft.name,
    language: draft.language,
    category: draft.category,
    parameter_format: named ? ('NAMED' as const) : ('POSITIONAL' as const),
    components,
  };
}

function graphButton(button: TemplateButton): Record<string, unknown> {
  switch (button.type) {
    case 'QUICK_REPLY':
      return { type: 'QUICK_REPLY', text: button.text };
    case 'URL':
      return {
        type: 'URL',
        text: button.text,
        url: button.url,
        ...(button.example ? { example: [button.example] } : {}),
      };
    case 'PHONE_NUMBER':
      return { type: 'PHONE_NUMBER', text: button.text, phone_number: button.phoneNumber };
    case 'COPY_CODE':
      return { type: 'COPY_CODE', example: button.example };
    case 'FLOW':
      return { type: 'FLOW', text: button.text, flow_id: button.flowId };
  }
}
