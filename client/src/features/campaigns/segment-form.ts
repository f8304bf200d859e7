import type { ContactFilter } from '../../../../server/domains/contacts/schemas.ts';

/** One attribute row as the form holds it: the value as typed, read by the attribute's type. */
export interface AttributeRow {
  key: string;
  op: 'is' | 'isNot' | 'contains' | 'gt' | 'gte' | 'lt' | 'lte' | 'in' | 'set' | 'notSet';
  value: string;
}

/** The segment editor's values: what the inputs hold, turned into a ContactFilter by toFilter. */
export interface SegmentFormValues {
  name: string;
  tagsAny: string[];
  tagsAll: string[];
  tagsNone: string[];
  countries: string[];
  optedIn: 'any' | 'in' | 'notIn';
  /** datetime-local values (the member's own clock), '' for none. */
  lastInboundAfter: string;
  lastInboundBefore: string;
  attributes: AttributeRow[];
}

export const emptySegment: SegmentFormValues = {
  name: '',
  tagsAny: [],
  tagsAll: [],
  tagsNone: [],
  countries: [],
  optedIn: 'any',
  lastInboundAfter: '',
  lastInboundBefore: '',
  attributes: [],
};

export const attributeOps: { value: AttributeRow['op']; label: string }[] = [
  { value: 'is', label: 'is' },
  { value: 'isNot', label: 'is not' },
  { value: 'contains', label: 'contains' },
  { value: 'gt', label: 'is more than / after' },
  { value: 'gte', label: 'is at least / on or after' },
  { value: 'lt', label: 'is less than / before' },
  { value: 'lte', label: 'is at most / on or before' },
  { value: 'in', label: 'is one of (comma-separated)' },
  { value: 'set', label: 'has a value' },
  { value: 'notSet', label: 'has no value' },
];

const isoOrUndefined = (local: string) => (local ? new Date(local).toISOString() : undefined);
const localOf = (iso: string | undefined) => {
  if (!iso) return '';
  const date = new Date(iso);
  const offset = date.getTimezoneOffset() * 60_000;
  return new Date(date.getTime() - offset).toISOString().slice(0, 16);
};

/** A typed value as its attribute's type stores it (numbers and booleans as such). */
function attributeValue(row: AttributeRow, type: string | undefined): string | number | boolean {
  const text = row.value.trim();
  if (type === 'number' && text !== '' && Number.isFinite(Number(text))) return Number(text);
  if (type === 'boolean' && (text === 'true' || text === 'false')) return text === 'true';
  return text;
}

const nonEmpty = <T>(list: T[]) => (list.length > 0 ? list : undefined);

/** The form's values as the server's filter (undefined keys are left out by JSON). */
export function toFilter(values: SegmentFormValues, types: Record<string, string>): ContactFilter {
  const tags = {
    any: nonEmpty(values.tagsAny),
    all: nonEmpty(values.tagsAll),
    none: nonEmpty(values.tagsNone),
  };
  const attributes = values.attributes
    .filter((row) => row.key !== '')
    .map((row) => {
      if (row.op === 'set' || row.op === 'notSet') return { key: row.key, op: row.op };
      if (row.op === 'in') {
        return {
          key: row.key,
          op: row.op,
          value: row.value
            .split(',')
            .map((part) => part.trim())
            .filter(Boolean),
        };
      }
      return { key: row.key, op: row.op, value: attributeValue(row, types[row.key]) };
    }) as NonNullable<ContactFilter['attributes']>;
  return {
    ...(tags.any || tags.all || tags.none ? { tags } : {}),
    ...(attributes.length > 0 ? { attributes } : {}),
    ...(values.optedIn === 'any' ? {} : { optedIn: values.optedIn === 'in' }),
    ...(values.countries.length > 0
      ? { countries: values.countries.map((c) => c.trim().toUpperCase()) }
      : {}),
    ...(values.lastInboundAfter ? { lastInboundAfter: isoOrUndefined(values.lastInboundAfter) } : {}),
    ...(values.lastInboundBefore ? { lastInboundBefore: isoOrUndefined(values.lastInboundBefore) } : {}),
  };
}

/** A saved filter back into the form (an edit starts from it). */
export function fromFilter(name: string, filter: ContactFilter): SegmentFormValues {
  return {
    name,
    tagsAny: filter.tags?.any ?? [],
    tagsAll: filter.tags?.all ?? [],
    tagsNone: filter.tags?.none ?? [],
    countries: filter.countries ?? [],
    optedIn: filter.optedIn === undefined ? 'any' : filter.optedIn ? 'in' : 'notIn',
    lastInboundAfter: localOf(filter.lastInboundAfter),
    lastInboundBefore: localOf(filter.lastInboundBefore),
    attributes: (filter.attributes ?? []).map((condition) => ({
      key: condition.key,
      op: condition.op,
      value:
        'value' in condition
          ? Array.isArray(condition.value)
            ? condition.value.join(', ')
            : String(condition.value)
          : '',
    })),
  };
}

/** The conditions in words, for the list ("tag vip · country DE, AT · opted in"). */
export function describeFilter(filter: ContactFilter): string {
  const parts: string[] = [];
  if (filter.tags?.any) parts.push(`any tag of ${filter.tags.any.join(', ')}`);
  if (filter.tags?.all) parts.push(`every tag of ${filter.tags.all.join(', ')}`);
  if (filter.tags?.none) parts.push(`no tag of ${filter.tags.none.join(', ')}`);
  if (filter.countries) parts.push(`country ${filter.countries.join(', ')}`);
  if (filter.optedIn !== undefined) parts.push(filter.optedIn ? 'opted in' : 'not opted in');
  for (const condition of filter.attributes ?? []) {
    const op = attributeOps.find((o) => o.value === condition.op)?.label ?? condition.op;
    const value =
      'value' in condition
        ? ` ${Array.isArray(condition.value) ? condition.value.join(', ') : String(condition.value)}`
        : '';
    parts.push(`${condition.key} ${op}${value}`);
  }
  if (filter.lastInboundAfter)
    parts.push(`wrote since ${new Date(filter.lastInboundAfter).toLocaleString()}`);
  if (filter.lastInboundBefore)
    parts.push(`silent since ${new Date(filter.lastInboundBefore).toLocaleString()}`);
  return parts.length > 0 ? parts.join(' · ') : 'Every contact';
}
