/** Where in a parsed JSON input a string the database cannot store sits, and why. */
export interface UnstorableString {
  path: (string | number)[];
  why: string;
}

function problemOf(value: string): string | null {
  if (value.includes('\u0000')) return 'contains a NUL character, which cannot be stored';
  if (!value.isWellFormed()) return 'contains an invalid character (a broken emoji or symbol)';
  return null;
}

interface Visit {
  value: unknown;
  key: string | number | null;
  parent: Visit | null;
}

function pathOf(visit: Visit): (string | number)[] {
  const path: (string | number)[] = [];
  for (let at: Visit | null = visit; at && at.key !== null; at = at.parent) path.unshift(at.key);
  return path;
}

/**
 * The first string (value or key) in `input` that PostgreSQL could not store as sent. Walks without
 * recursion and builds a path only for what it reports, so inputs nested thousands of levels deep
 * cost neither stack nor quadratic memory.
 */
export function unstorableString(input: unknown): UnstorableString | null {
  const stack: Visit[] = [{ value: input, key: null, parent: null }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    const { value } = visit;
    if (typeof value === 'string') {
      const why = problemOf(value);
      if (why) return { path: pathOf(visit), why };
    } else if (Array.isArray(value)) {
      for (let index = 0; index < value.length; index++) {
        stack.push({ value: value[index] as unknown, key: index, parent: visit });
      }
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value)) {
        const why = problemOf(key);
        if (why) return { path: pathOf(visit), why: `has a field name that ${why}` };
        stack.push({ value: item, key, parent: visit });
      }
    }
  }
  return null;
}
