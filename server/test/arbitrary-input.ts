import fc from 'fast-check';

/** Strings that have broken things before: NUL, lone surrogates, control characters, sheer size. */
const nastyStrings = [
  '',
  ' ',
  '\u0000',
  'name\u0000with nul',
  '\ud800',
  'broken \udfff emoji',
  '\u0007bell\u001b[31m',
  '\u202eright-to-left',
  'x'.repeat(5_000),
  'y'.repeat(200_000),
  "'; drop table app_private.users; --",
  '%00',
  '{"$gt":""}',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '-1',
  '1e309',
  'NaN',
  '2026-13-45T99:99:99Z',
  'intruder@example.test',
  'a@b',
  '𝒜𝒷𝒸 👩‍👩‍👧',
];

export const nastyString: fc.Arbitrary<string> = fc.oneof(
  { arbitrary: fc.constantFrom(...nastyStrings), weight: 3 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ maxLength: 20 }), weight: 1 },
);

const nastyNumber: fc.Arbitrary<number> = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.constantFrom(0, -1, 2 ** 31, 2 ** 53 + 1, Number.MAX_VALUE, -Number.MAX_VALUE, 1e-300),
);

/** A value nested `depth` levels deep, built without recursion. */
function deeplyNested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = level % 2 ? [value] : { a: value };
  return value;
}

/** Any JSON a client could send, nasty strings included. */
export const anyJson: fc.Arbitrary<unknown> = fc.oneof(
  { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 4 },
  { arbitrary: nastyString, weight: 2 },
  { arbitrary: nastyNumber, weight: 1 },
  { arbitrary: fc.constantFrom(null, true, [], {}, deeplyNested(300)), weight: 1 },
  {
    arbitrary: fc.dictionary(nastyString, fc.jsonValue({ maxDepth: 1 }), { maxKeys: 4 }),
    weight: 1,
  },
);

interface ZodDef {
  type: string;
  format?: string;
  shape?: Record<string, unknown>;
  entries?: Record<string, string>;
  element?: unknown;
  innerType?: unknown;
  in?: unknown;
  values?: unknown[];
  options?: unknown[];
}

const defOf = (schema: unknown) => (schema as { _zod: { def: ZodDef } })._zod.def;

/**
 * Inputs shaped like `schema` (its fields and types, so they get past the first checks and reach
 * services and SQL), with nasty values in every slot, sometimes a wrong type or a missing field.
 */
export function shapedInput(schema: unknown): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const shaped = (): fc.Arbitrary<unknown> => {
    switch (def.type) {
      case 'object':
        return fc.record(
          Object.fromEntries(
            Object.entries(def.shape ?? {}).map(([key, field]) => [key, shapedInput(field)]),
          ),
          { requiredKeys: [] },
        );
      case 'string':
        if (def.format === 'uuid') return fc.oneof(fc.uuid(), nastyString);
        if (def.format === 'email') return fc.oneof(fc.emailAddress(), nastyString);
        return nastyString;
      case 'number':
        return nastyNumber;
      case 'boolean':
        return fc.boolean();
      case 'enum':
        return fc.oneof(fc.constantFrom(...Object.values(def.entries ?? { x: 'x' })), nastyString);
      case 'literal':
        return fc.constantFrom(...(def.values ?? [null]));
      case 'array':
        return fc.array(shapedInput(def.element), { maxLength: 4 });
      case 'optional':
      case 'nullable':
      case 'default':
      case 'readonly':
      case 'catch':
        return fc.option(shapedInput(def.innerType), { nil: undefined });
      case 'pipe':
        return shapedInput(def.in);
      case 'union':
        return fc.oneof(...(def.options ?? []).map((option) => shapedInput(option)));
      default:
        return anyJson;
    }
  };
  return fc.oneof({ arbitrary: shaped(), weight: 5 }, { arbitrary: anyJson, weight: 1 });
}
