import { parse, type Parser } from 'csv-parse';
import type { AttributeDefinition } from '../schemas.ts';

/** What a CSV column can become. `attr:<key>` is a custom attribute. */
export type ColumnTarget =
  'phone' | 'name' | 'email' | 'tags' | 'notes' | 'optIn' | 'optOut' | `attr:${string}`;

/**
 * The delimiter of a CSV from its first line: Excel writes ";" where the decimal separator is a
 * comma (most of Europe and Latin America), "," elsewhere; tab-separated exports exist too.
 */
export function detectDelimiter(firstLine: string): string {
  let best = ',';
  let bestCount = 0;
  for (const candidate of [',', ';', '\t', '|']) {
    let count = 0;
    let quoted = false;
    for (const char of firstLine) {
      if (char === '"') quoted = !quoted;
      else if (!quoted && char === candidate) count++;
    }
    if (count > bestCount) [best, bestCount] = [candidate, count];
  }
  return best;
}

/** A streaming parser of records as arrays (the first is the header): BOM, CRLF and quotes as Excel writes them. */
export function csvParser(delimiter: string): Parser {
  return parse({
    bom: true,
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    max_record_size: 64 * 1024,
  });
}

const synonyms: [ColumnTarget, RegExp][] = [
  [
    'phone',
    /^(phone|phone ?number|mobile|cell|whats ?app|wa_?id|number|telefone|tel[eé]fono|celular|handy|telefon|m[oó]vil)$/,
  ],
  ['name', /^(name|full ?name|contact|contact ?name|nome|nombre|kunde)$/],
  ['email', /^(e-?mail|email ?address|correo)$/],
  ['tags', /^(tags?|labels?|etiquetas?)$/],
  ['notes', /^(notes?|comments?|notas?|observa[cç][aã]o|notizen?)$/],
  ['optIn', /^(opt_?in|opted_?in(_at)?|consent|subscribed)$/],
  ['optOut', /^(opt_?out|opted_?out(_at)?|unsubscribed)$/],
];

/** A first guess at what each column is, by its header: the wizard shows it for the user to correct. */
export function suggestMapping(
  headers: string[],
  attributes: AttributeDefinition[],
): (ColumnTarget | null)[] {
  const taken = new Set<string>();
  return headers.map((header) => {
    const h = header.trim().toLowerCase();
    const attribute = attributes.find((a) => a.key === h || a.label.toLowerCase() === h);
    const target: ColumnTarget | undefined = attribute
      ? `attr:${attribute.key}`
      : synonyms.find(([, pattern]) => pattern.test(h))?.[0];
    if (!target || taken.has(target)) return null;
    taken.add(target);
    return target;
  });
}

/** Splits a tags cell: "vip, berlin" or "vip|berlin" (";" too where it is not the delimiter). */
export function splitTags(cell: string): string[] {
  return [
    ...new Set(
      cell
        .split(/[,;|]/)
        .map((t) => t.trim())
        .filter((t) => t.length > 0 && t.length <= 50),
    ),
  ];
}
