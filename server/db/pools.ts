import {
  createPool,
  createTypeParserPreset,
  SchemaValidationError,
  type DatabasePool,
  type Interceptor,
} from 'slonik';
import { readRuntimeLogin, runtimeUrl } from './runtime-login.ts';

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
  /**
   * Every request and job query: logs in as this database's runtime login role (not the owner) and
   * runs as parley_app; it cannot become the owner.
   */
  readonly app: DatabasePool;
  end(): Promise<void>;
}

export async function createPools(ownerUrl: string, appPoolSize: number): Promise<Pools> {
  // Besides maintenance, the owner's connections carry outbox transactions: procedures that queue jobs
  // and webhook processing's tenant transactions (two batches at a time), so a few more than that.
  const owner = await createParleyPool(ownerUrl, { maxPoolSize: 5, applicationName: 'parley-owner' });
  let app: DatabasePool;
  try {
    app = await createParleyPool(runtimeUrl(ownerUrl, await readRuntimeLogin(owner)), {
      maxPoolSize: appPoolSize,
      applicationName: 'parley-app',
    });
  } catch (error) {
    await owner.end();
    throw error;
  }
  return {
    owner,
    app,
    async end() {
      await Promise.all([app.end(), owner.end()]);
    },
  };
}
