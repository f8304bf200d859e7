import { parse } from 'csv-parse/sync';
import type { AttributeDefinition } from '../schemas.ts';
import { detectDelimiter, suggestMapping, type ColumnTarget } from './csv.ts';

export interface ImportPreview {
  delimiter: string;
  headers: string[];
  /** The first rows, as in the file. */
  rows: string[][];
  suggested: (ColumnTarget | null)[];
}

/** The header, a few rows and a guessed mapping, from the file's first bytes (whole lines only). */
export function previewOf(head: Buffer, attributes: AttributeDefinition[], rows = 5): ImportPreview {
  // PostgreSQL text cannot hold NUL, and the column names are stored: drop it, as the import does per cell.
  let text = head
    .toString('utf8')
    .replace(/^\uFEFF/, '')
    .replaceAll('\u0000', '');
  const lastNewline = text.lastIndexOf('\n');
  if (lastNewline > 0 && head.length >= previewBytes) text = text.slice(0, lastNewline + 1);
  const delimiter = detectDelimiter(text.split(/\r?\n/, 1)[0] ?? '');
  const records: string[][] = parse(text, {
    delimiter,
    relax_column_count: true,
    relax_quotes: true,
    skip_empty_lines: true,
    trim: true,
    to_line: rows + 20,
  });
  const headers = (records[0] ?? []).map((h, i) => h || `Column ${i + 1}`);
  return {
    delimiter,
    headers,
    rows: records.slice(1, rows + 1),
    suggested: suggestMapping(headers, attributes),
  };
}

/** How much of the file's start the preview reads. */
export const previewBytes = 64 * 1024;
