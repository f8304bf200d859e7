import type { Tx } from '../../db/tx.ts';
import { listContacts } from './queries.ts';
import type { AttributeDefinition, ContactFilter } from './schemas.ts';

/** The export's columns: the ones an import maps back by their header (import/csv.ts suggestMapping). */
export const exportHeader = (definitions: AttributeDefinition[]) => [
  'phone',
  'name',
  'email',
  'tags',
  'notes',
  'country',
  'opted_in_at',
  'opt_in_source',
  'opted_out_at',
  'opt_out_source',
  ...definitions.map((d) => d.key),
];

/** Every contact the filter selects, a page per short transaction, as CSV records. */
export async function* exportRows(
  inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>,
  filter: ContactFilter,
  definitions: AttributeDefinition[],
): AsyncGenerator<string[]> {
  for (let cursor: string | null = null; ;) {
    const page = await inTenant((tx) => tx.any(listContacts(filter, cursor, 2000)));
    for (const c of page)
      yield [
        c.waId ? `+${c.waId}` : '',
        c.name ?? '',
        c.email ?? '',
        c.tags.join(', '),
        c.notes ?? '',
        c.country ?? '',
        c.optedInAt ?? '',
        c.optInSource ?? '',
        c.optedOutAt ?? '',
        c.optOutSource ?? '',
        ...definitions.map((d) => {
          const value = c.attributes[d.key];
          return value === undefined ? '' : String(value);
        }),
      ];
    if (page.length < 2000) return;
    cursor = page.at(-1)?.id ?? null;
  }
}
