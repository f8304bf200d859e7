import { parseArgs } from 'node:util';
import { sql, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { displayNameSchema, emailSchema, passwordSchema } from '../domains/auth/schemas.ts';
import { hashPassword } from '../domains/auth/passwords.ts';

export const createAdminUsage = `Usage: npm run create-admin -- --email ops@example.com [--password …] [--name "Ops"]

Creates a platform administrator, or promotes an existing account (setting its password when given).
The password may also come from PARLEY_ADMIN_PASSWORD, to keep it out of shell history.`;

const argsSchema = z.object({
  email: emailSchema,
  password: passwordSchema.optional(),
  name: displayNameSchema.default('Platform admin'),
});

export function parseCreateAdminArgs(argv: string[], env: NodeJS.ProcessEnv = process.env) {
  const { values } = parseArgs({
    args: argv,
    options: { email: { type: 'string' }, password: { type: 'string' }, name: { type: 'string' } },
    strict: true,
  });
  const parsed = argsSchema.safeParse({
    ...values,
    password: values.password ?? (env.PARLEY_ADMIN_PASSWORD || undefined),
  });
  if (!parsed.success) {
    throw new Error(
      `${parsed.error.issues.map((issue) => `--${issue.path.join('.')}: ${issue.message}`).join('\n')}\n\n${createAdminUsage}`,
    );
  }
  return parsed.data;
}

/** Runs with the owner's connection: an operator's command line, not a request. */
export async function createAdmin(
  owner: DatabasePool,
  input: z.infer<typeof argsSchema>,
): Promise<{ userId: string; created: boolean }> {
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return owner.transaction(async (tx) => {
    const existing = await tx.maybeOneFirst(
      sql.type(
        z.object({ id: z.string() }),
      )`select id from app_private.users where lower(email) = lower(${input.email}) for update`,
    );
    if (existing) {
      await tx.query(sql.unsafe`
        update app_private.users
        set is_platform_admin = true, password_hash = coalesce(${passwordHash}, password_hash)
        where id = ${existing}
      `);
      return { userId: existing, created: false };
    }
    if (!passwordHash) throw new Error(`No account ${input.email} yet: give --password to create it.`);
    const userId = await tx.oneFirst(sql.type(z.object({ id: z.string() }))`
      insert into app_private.users (email, display_name, password_hash, is_platform_admin)
      values (${input.email}, ${input.name}, ${passwordHash}, true)
      returning id
    `);
    return { userId, created: true };
  });
}
