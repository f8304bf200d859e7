/**
 * Placeholders in a canned response's text, filled from the open conversation when it is inserted:
 * "{{contact.name}}" (spaces inside the braces allowed). Pure, shared by the composer and the
 * settings page's preview. An unknown placeholder stays as written; a known one without a value
 * becomes empty.
 */
export const placeholders = {
  'contact.name': "The customer's WhatsApp name",
  'contact.phone': "The customer's number, +15551234567",
  'agent.name': 'Your own name',
} as const;

export type PlaceholderValues = Partial<Record<keyof typeof placeholders, string | null>>;

const placeholderPattern = /\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/gi;

export function fillPlaceholders(text: string, values: PlaceholderValues): string {
  return text.replace(placeholderPattern, (written, key: string) => {
    const name = key.toLowerCase();
    if (!(name in placeholders)) return written;
    return values[name as keyof typeof placeholders] ?? '';
  });
}
