import {
  createPool,
  createTypeParserPreset,
  SchemaValidationError,
  type DatabasePool,
  type Interceptor,
} from 'slonik';

/** The role every runtime query runs as: no superuser, no BYPASSRLS, so row-level security applies. */
export const appRole = 'parley_app';

/**
 * Validates rows against the schema given to `sql.type(schema)`, so a query's declared shape is checked
 * at run time, not just trusted (slonik's documented result-parser interceptor).
 */
const resultParser: Interceptor = {
  name: 'parley-result-parser',
  transformRowAsync: async (context, query, row) => {
    const schema = context.resultParser;
    if (!schema) return row;
    const result = await schema['~standard'].validate(row);
    if (result.issues) throw new SchemaValidationError(query, row, result.issues);
    return result.value as typeof row;
  },
};

/** JSON-friendly values: timestamps as ISO strings, int8 counts as numbers. */
const typeParsers = [
  ...createTypeParserPreset().filter((parser) => !['timestamp', 'timestamptz', 'int8'].includes(parser.name)),
  { name: 'timestamptz', parse: (value: string) => new Date(value).toISOString() },
  { name: 'int8', parse: (value: string) => Number.parseInt(value, 10) },
];

/** Adds `-c role=…` to the connection's startup options: the session starts as that role, and RESET ROLE returns to it. */
export function withStartupRole(connectionString: string, role: string): string {
  const url = new URL(connectionString);
  const existing = url.searchParams.get('options');
  url.searchParams.set('options', [existing, `-c role=${role}`].filter(Boolean).join(' '));
  return url.toString();
}

export interface PoolOptions {
  maxPoolSize: number;
  applicationName: string;
}

export async function createParleyPool(
  connectionString: string,
  options: PoolOptions,
): Promise<DatabasePool> {
  const url = new URL(connectionString);
  url.searchParams.set('application_name', options.applicationName);
  return createPool(url.toString(), {
    maxPoolSize: options.maxPoolSize,
    interceptors: [resultParser],
    typeParsers,
    // Tenant scope is set per transaction (set_config(…, true)), so nothing session-level needs
    // resetting between checkouts; slonik's default DISCARD ALL would cost a round trip each time.
    resetConnection: async () => {},
    idleTimeout: 30_000,
    statementTimeout: 30_000,
  });
}

export interface Pools {
  /** Owner of the schema: migrations, readiness checks, platform maintenance. Bypasses nothing by design, but owns the tables. */
  readonly owner: DatabasePool;
  /** Every request and job query: connects as the owner but starts each session as parley_app. */
  readonly app: DatabasePool;
  end(): Promise<void>;
}

export async function createPools(ownerUrl: string, appPoolSize: number): Promise<Pools> {
  const owner = await createParleyPool(ownerUrl, { maxPoolSize: 3, applicationName: 'parley-owner' });
  const app = await createParleyPool(withStartupRole(ownerUrl, appRole), {
    maxPoolSize: appPoolSize,
    applicationName: 'parley-app',
  });
  return {
    owner,
    app,
    async end() {
      await Promise.all([app.end(), owner.end()]);
    },
  };
}
