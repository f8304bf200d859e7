import { z } from 'zod';
import type { templateComponentSchema } from '../../whatsapp/message-payloads.ts';
import { variablePattern, variablesOf } from './schemas.ts';

/**
 * A template as the customer sees it once its variables are filled in, and the Graph `template`
 * object that asks Meta for exactly that. Pure: the composer's preview, the send procedure and the
 * thread all use it, so what an agent previews is what is stored and what Meta renders.
 */

/** Meta's components as stored (GET /{waba_id}/message_templates), read loosely. */
const storedComponent = z
  .object({
    type: z.string(),
    format: z.string().optional(),
    text: z.string().optional(),
    buttons: z
      .array(
        z
          .object({
            type: z.string(),
            text: z.string().optional(),
            url: z.string().optional(),
            phone_number: z.string().optional(),
            example: z.union([z.array(z.string()), z.string()]).optional(),
          })
          .loose(),
      )
      .optional(),
    example: z.record(z.string(), z.unknown()).optional(),
  })
  .loose();
export type StoredComponent = z.infer<typeof storedComponent>;

export const templateViewSchema = z.object({
  header: z
    .object({
      format: z.enum(['TEXT', 'IMAGE', 'VIDEO', 'DOCUMENT', 'LOCATION']),
      text: z.string().optional(),
      link: z.string().optional(),
    })
    .optional(),
  body: z.string(),
  footer: z.string().optional(),
  buttons: z.array(
    z.object({
      type: z.string(),
      text: z.string(),
      url: z.string().optional(),
      phoneNumber: z.string().optional(),
      code: z.string().optional(),
    }),
  ),
});
/** What the customer saw: stored with each template message, drawn by the preview and the thread. */
export type TemplateView = z.infer<typeof templateViewSchema>;

/** Values an agent fills in: body and header variables by name ("1", "first_name"), button parameters by index. */
export const templateValuesSchema = z.object({
  body: z.record(z.string(), z.string()).default({}),
  header: z.object({ text: z.string().optional(), link: z.string().optional() }).default({}),
  buttons: z.record(z.string(), z.string()).default({}),
});
export type TemplateValues = z.input<typeof templateValuesSchema>;

export function parseComponents(components: unknown): StoredComponent[] {
  const parsed = z.array(storedComponent).safeParse(components);
  return parsed.success ? parsed.data : [];
}

const part = (components: StoredComponent[], type: string) =>
  components.find((component) => component.type.toUpperCase() === type);

const fill = (value: string, values: Record<string, string>, placeholder: (name: string) => string) =>
  value.replace(variablePattern, (_match, name: string) => values[name] || placeholder(name));

/** What a template needs when sent: its variables and which buttons take a parameter. */
export function templateNeeds(components: unknown) {
  const parts = parseComponents(components);
  const header = part(parts, 'HEADER');
  const body = part(parts, 'BODY');
  const buttons = part(parts, 'BUTTONS')?.buttons ?? [];
  const headerFormat = header?.format?.toUpperCase() ?? (header ? 'TEXT' : undefined);
  return {
    headerFormat,
    headerVariables: headerFormat === 'TEXT' ? variablesOf(header?.text ?? '') : [],
    headerMedia: headerFormat === 'IMAGE' || headerFormat === 'VIDEO' || headerFormat === 'DOCUMENT',
    bodyVariables: variablesOf(body?.text ?? ''),
    /** Button indexes that need a value: a URL's {{1}} suffix, a copy-code's code. */
    buttonInputs: buttons.flatMap(
      (button, index): { index: number; type: 'URL' | 'COPY_CODE'; label: string }[] => {
        const type = button.type.toUpperCase();
        if (type === 'URL' && variablesOf(button.url ?? '').length > 0) {
          return [{ index, type: 'URL' as const, label: button.text ?? 'Link' }];
        }
        if (type === 'COPY_CODE') return [{ index, type: 'COPY_CODE' as const, label: 'Code to copy' }];
        return [];
      },
    ),
    named: variablesOf(body?.text ?? '').some((name) => !/^\d+$/.test(name)),
  };
}

/**
 * The template with `values` filled in. Missing values show as `placeholder(name)` (the preview
 * shows the variable itself, or the template's example).
 */
export function renderTemplate(
  components: unknown,
  input: TemplateValues = {},
  placeholder: (name: string) => string = (name) => `{{${name}}}`,
): TemplateView {
  const values = templateValuesSchema.parse(input);
  const parts = parseComponents(components);
  const header = part(parts, 'HEADER');
  const body = part(parts, 'BODY');
  const footer = part(parts, 'FOOTER');
  const buttons = part(parts, 'BUTTONS')?.buttons ?? [];
  const format = (header?.format?.toUpperCase() ?? 'TEXT') as NonNullable<TemplateView['header']>['format'];
  const headerValues = {
    ...values.body,
    ...(values.header.text ? firstVariable(header?.text, values.header.text) : {}),
  };
  return {
    ...(header
      ? {
          header:
            format === 'TEXT'
              ? { format, text: fill(header.text ?? '', headerValues, placeholder) }
              : { format, ...(values.header.link ? { link: values.header.link } : {}) },
        }
      : {}),
    body: fill(body?.text ?? '', values.body, placeholder),
    ...(footer?.text ? { footer: footer.text } : {}),
    buttons: buttons.map((button, index) => {
      const type = button.type.toUpperCase();
      const value = values.buttons[String(index)];
      if (type === 'URL') {
        return {
          type,
          text: button.text ?? '',
          url: fill(button.url ?? '', value ? { '1': value } : {}, placeholder),
        };
      }
      if (type === 'PHONE_NUMBER') return { type, text: button.text ?? '', phoneNumber: button.phone_number };
      if (type === 'COPY_CODE') {
        const example = Array.isArray(button.example) ? button.example[0] : button.example;
        return { type, text: button.text ?? 'Copy code', code: value || example || '' };
      }
      return { type, text: button.text ?? '' };
    }),
  };
}

function firstVariable(headerText: string | undefined, value: string): Record<string, string> {
  const [name] = variablesOf(headerText ?? '');
  return name ? { [name]: value } : {};
}

/** The preview's values: each variable's example from the template, so the preview reads like a message. */
export function exampleValues(components: unknown): TemplateValues {
  const parts = parseComponents(components);
  const body = part(parts, 'BODY');
  const header = part(parts, 'HEADER');
  const bodyExample = body?.example ?? {};
  const values: Record<string, string> = {};
  const positional = bodyExample.body_text;
  if (Array.isArray(positional) && Array.isArray(positional[0])) {
    (positional[0] as unknown[]).forEach((value, index) => (values[String(index + 1)] = String(value)));
  }
  const named = bodyExample.body_text_named_params;
  if (Array.isArray(named)) {
    for (const entry of named as { param_name?: string; example?: string }[]) {
      if (entry.param_name) values[entry.param_name] = String(entry.example ?? '');
    }
  }
  const headerExample = header?.example ?? {};
  const headerText = Array.isArray(headerExample.header_text)
    ? String(headerExample.header_text[0])
    : Array.isArray(headerExample.header_text_named_params)
      ? String((headerExample.header_text_named_params[0] as { example?: string }).example ?? '')
      : undefined;
  const headerHandle = Array.isArray(headerExample.header_handle)
    ? String(headerExample.header_handle[0])
    : undefined;
  return {
    body: values,
    header: { ...(headerText ? { text: headerText } : {}), ...(headerHandle ? { link: headerHandle } : {}) },
  };
}

/** Why these values cannot be sent with this template (count and names of variables, button values), or []. */
export function valueProblems(components: unknown, input: TemplateValues): string[] {
  const values = templateValuesSchema.parse(input);
  const needs = templateNeeds(components);
  const problems: string[] = [];
  const given = Object.entries(values.body).filter(([, value]) => value.trim() !== '');
  const unknown = given.map(([name]) => name).filter((name) => !needs.bodyVariables.includes(name));
  if (unknown.length > 0) {
    problems.push(
      `The template has no variable ${unknown.map((name) => `{{${name}}}`).join(', ')}; it has ${
        needs.bodyVariables.length === 0
          ? 'none'
          : needs.bodyVariables.map((name) => `{{${name}}}`).join(', ')
      }.`,
    );
  }
  const missing = needs.bodyVariables.filter((name) => !values.body[name]?.trim());
  if (missing.length > 0) {
    problems.push(`Fill in ${missing.map((name) => `{{${name}}}`).join(', ')}.`);
  }
  if (needs.headerVariables.length > 0 && !values.header.text?.trim()) {
    problems.push("Fill in the header's variable.");
  }
  if (needs.headerMedia && !/^https:\/\//.test(values.header.link ?? '')) {
    problems.push(`Give the ${needs.headerFormat?.toLowerCase()} for the header (an https address).`);
  }
  for (const button of needs.buttonInputs) {
    if (!values.buttons[String(button.index)]?.trim()) {
      problems.push(
        button.type === 'URL'
          ? `Fill in the end of the address for the "${button.label}" button.`
          : 'Fill in the code the copy-code button copies.',
      );
    }
  }
  return problems;
}

/** The Graph `template` object (POST /{phone_number_id}/messages) for these values. */
export function graphTemplateMessage(
  template: { name: string; language: string; components: unknown },
  input: TemplateValues,
) {
  const values = templateValuesSchema.parse(input);
  const needs = templateNeeds(template.components);
  const components: z.input<typeof templateComponentSchema>[] = [];
  const textParameter = (name: string, value: string) => ({
    type: 'text' as const,
    text: value,
    ...(needs.named ? { parameter_name: name } : {}),
  });
  const [headerVariable] = needs.headerVariables;
  if (headerVariable && values.header.text) {
    components.push({ type: 'header', parameters: [textParameter(headerVariable, values.header.text)] });
  } else if (needs.headerMedia && values.header.link) {
    const media = (needs.headerFormat ?? 'IMAGE').toLowerCase() as 'image' | 'video' | 'document';
    const parameter = { type: media, [media]: { link: values.header.link } } as z.input<
      typeof templateComponentSchema
    >['parameters'] extends (infer P)[] | undefined
      ? P
      : never;
    components.push({ type: 'header', parameters: [parameter] });
  }
  if (needs.bodyVariables.length > 0) {
    components.push({
      type: 'body',
      parameters: needs.bodyVariables.map((name) => textParameter(name, values.body[name] ?? '')),
    });
  }
  for (const button of needs.buttonInputs) {
    const value = values.buttons[String(button.index)] ?? '';
    components.push(
      button.type === 'URL'
        ? {
            type: 'button',
            sub_type: 'url',
            index: String(button.index),
            parameters: [{ type: 'text', text: value }],
          }
        : {
            type: 'button',
            sub_type: 'copy_code',
            index: String(button.index),
            parameters: [{ type: 'coupon_code', coupon_code: value }],
          },
    );
  }
  return {
    name: template.name,
    language: { code: template.language },
    ...(components.length > 0 ? { components } : {}),
  };
}
