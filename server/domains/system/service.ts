import { sql } from 'slonik';
import { z } from 'zod';
import packageJson from '../../../package.json' with { type: 'json' };
import type { AppServices } from '../../app-services.ts';
import { schemaStatus } from '../../db/migrate.ts';

export const systemInfoSchema = z.object({
  name: z.literal('Parley'),
  version: z.string(),
  node: z.string(),
});

export function systemInfo(): z.infer<typeof systemInfoSchema> {
  return { name: 'Parley', version: packageJson.version, node: process.version };
}

export const readinessSchema = z.object({
  ready: z.boolean(),
  checks: z.object({
    database: z.boolean(),
    schema: z.boolean(),
  }),
});
export type Readiness = z.infer<typeof readinessSchema>;

/** Ready = the database answers as parley_app and runs the schema this build expects. */
export async function checkReadiness(services: Pick<AppServices, 'pools' | 'logger'>): Promise<Readiness> {
  const database = await services.pools.app
    .oneFirst(sql.type(z.object({ role: z.string() }))`select current_user as role`)
    .then((role) => role === 'parley_app')
    .catch((error: unknown) => {
      services.logger.warn({ err: error }, 'readiness: database check failed');
      return false;
    });
  const schema = database
    ? await schemaStatus(services.pools.owner).then((status) => {
        if (!status.current) services.logger.warn({ status }, 'readiness: schema is not current');
        return status.current;
      })
    : false;
  return { ready: database && schema, checks: { database, schema } };
}
