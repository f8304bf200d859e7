import type { TemplateValues } from '../templates/render.ts';
import type { ValueSource, VariableMapping } from './schemas.ts';

/**
 * A recipient's template values from the campaign's mapping: each variable takes a contact field,
 * one of its custom attributes, or fixed text, and its fallback when the contact has none. Pure: the
 * wizard's preview and the runner use it alike. `contact` is the contact's row (to_jsonb), so fields
 * added to contacts later (email, country, attributes) are read by name.
 */
export function resolveValue(source: ValueSource, contact: Record<string, unknown>): string {
  const text = (value: unknown) =>
    typeof value === 'string'
      ? value.trim()
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : '';
  const name = text(contact.name) || text(contact.profile_name);
  let value = '';
  switch (source.source) {
    case 'text':
      value = source.value;
      break;
    case 'name':
      value = name;
      break;
    case 'first_name':
      value = name.split(/\s+/)[0] ?? '';
      break;
    case 'phone':
      value = text(contact.wa_id) ? `+${text(contact.wa_id)}` : '';
      break;
    case 'email':
      value = text(contact.email);
      break;
    case 'country':
      value = text(contact.country);
      break;
    case 'attribute': {
      const attributes = contact.attributes;
      const raw =
        attributes && typeof attributes === 'object'
          ? (attributes as Record<string, unknown>)[source.value]
          : undefined;
      value = Array.isArray(raw) ? raw.map(text).filter(Boolean).join(', ') : text(raw);
      break;
    }
  }
  return value || source.fallback;
}

export function resolveValues(
  mapping: VariableMapping,
  contact: Record<string, unknown>,
  headerMediaUrl: string | null,
): TemplateValues {
  const resolveAll = (sources: Record<string, ValueSource>) =>
    Object.fromEntries(Object.entries(sources).map(([key, source]) => [key, resolveValue(source, contact)]));
  return {
    body: resolveAll(mapping.body),
    header: {
      ...(mapping.header ? { text: resolveValue(mapping.header, contact) } : {}),
      ...(headerMediaUrl ? { link: headerMediaUrl } : {}),
    },
    buttons: resolveAll(mapping.buttons),
  };
}
