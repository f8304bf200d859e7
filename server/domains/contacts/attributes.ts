import type { AttributeDefinition, AttributeValue } from './schemas.ts';

const isoDate = /^\d{4}-\d{2}-\d{2}$/;
const truthy = new Set(['true', 'yes', 'y', '1', 'ja', 'si', 'sí', 'sim', 'x']);
const falsy = new Set(['false', 'no', 'n', '0', 'nein', 'não', 'nao']);

/**
 * A value for a typed attribute, from JSON (the API) or text (a CSV cell): the stored value, or a
 * sentence saying what is wrong. Empty text or null clears the value (undefined).
 */
export function attributeValue(
  definition: AttributeDefinition,
  input: AttributeValue | undefined,
): { value: AttributeValue | undefined } | { error: string } {
  if (input === null || input === undefined || (typeof input === 'string' && input.trim() === ''))
    return { value: undefined };
  const label = definition.label;
  switch (definition.type) {
    case 'text': {
      const text = String(input).trim();
      if (text.length > 1000) return { error: `${label} is at most 1,000 characters.` };
      return { value: text };
    }
    case 'number': {
      const number = typeof input === 'number' ? input : Number(String(input).trim().replace(',', '.'));
      if (typeof input === 'boolean' || !Number.isFinite(number))
        return { error: `${label} must be a number.` };
      return { value: number };
    }
    case 'date': {
      const text = String(input).trim();
      const date = isoDate.test(text) ? new Date(`${text}T00:00:00Z`) : null;
      if (!date || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== text)
        return { error: `${label} must be a date written YYYY-MM-DD.` };
      return { value: text };
    }
    case 'boolean': {
      if (typeof input === 'boolean') return { value: input };
      const text = String(input).trim().toLowerCase();
      if (truthy.has(text)) return { value: true };
      if (falsy.has(text)) return { value: false };
      return { error: `${label} must be yes or no.` };
    }
    case 'list': {
      const text = String(input).trim();
      const option = definition.options?.find((o) => o.toLowerCase() === text.toLowerCase());
      if (!option) return { error: `${label} must be one of: ${(definition.options ?? []).join(', ')}.` };
      return { value: option };
    }
  }
}

/**
 * Validates a set of attribute values against the workspace's definitions; returns the values to
 * merge into contacts.attributes (null: remove the key) or the first problem.
 */
export function attributeChanges(
  definitions: AttributeDefinition[],
  values: Record<string, AttributeValue>,
): { changes: Record<string, AttributeValue> } | { error: string } {
  const byKey = new Map(definitions.map((d) => [d.key, d]));
  const changes: Record<string, AttributeValue> = {};
  for (const [key, input] of Object.entries(values)) {
    const definition = byKey.get(key);
    if (!definition) return { error: `There is no attribute "${key}"; define it in Settings first.` };
    const result = attributeValue(definition, input);
    if ('error' in result) return result;
    changes[key] = result.value ?? null;
  }
  return { changes };
}
