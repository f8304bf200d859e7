import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { sql, type CommonQueryMethods, type DatabasePool } from 'slonik';
import { z } from 'zod';
import { withPlatform, type Tx } from '../../db/tx.ts';
import type { Mailer } from '../../mailer.ts';
import { hashPassword, verifyPassword } from './passwords.ts';
import { workspaceSchema } from './schemas.ts';
import { createSession } from './sessions.ts';
import { loginRules, throttle } from './throttle.ts';
import { generateToken, hashToken } from './tokens.ts';

export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}

const uuidRow = z.object({ id: z.string() });

/** A URL-safe workspace address from its name, e.g. "Acme Café" → "acme-cafe". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug.length >= 1 ? slug : 'workspace';
}

/** Creates a workspace owned by `userId`, adding a short suffix to its address when the plain one is taken. */
export async function createWorkspace(tx: Tx, userId: string, name: string): Promise<string> {
  const base = slugify(name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = attempt === 0 ? base : `${base.slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    const taken = await tx.oneFirst(
      sql.type(z.object({ taken: z.boolean() }))`select app_public.platform_slug_taken(${slug}) as taken`,
    );
    if (taken) continue;
    return tx.oneFirst(
      sql.type(uuidRow)`select app_public.create_workspace(${userId}, ${name}, ${slug}) as id`,
    );
  }
  throw new TRPCError({
    code: 'CONFLICT',
    message: 'Could not find a free workspace address; try another name.',
  });
}

// Throttling runs before, and outside, the transaction: a refused attempt must still use up a token.

export async function signUp(
  pool: DatabasePool,
  input: {
    email: string;
    password: string;
    displayName: string;
    workspaceName?: string | undefined;
    invitationToken?: string | undefined;
  },
  client: ClientInfo,
) {
  await throttle(
    pool,
    [[`signup:ip:${client.ip}`, loginRules.signUpPerIp]],
    'Too many sign-ups from this address; try again later.',
  );
  const passwordHash = await hashPassword(input.password);
  return withPlatform(pool, async (tx) => {
    const userId = await tx.oneFirst(
      sql.type(uuidRow)`
      select app_public.register_account(${input.email}, ${input.displayName}, ${passwordHash}) as id
    `,
    );
    if (input.workspaceName) await createWorkspace(tx, userId, input.workspaceName);
    if (input.invitationToken) {
      await tx.query(
        sql.unsafe`select app_public.accept_invitation(${hashToken(input.invitationToken)}, ${userId})`,
      );
    }
    return { userId, session: await createSession(tx, userId, client) };
  });
}

export async function logIn(
  pool: DatabasePool,
  input: { email: string; password: string },
  client: ClientInfo,
) {
  await throttle(
    pool,
    [
      [`login:ip:${client.ip}`, loginRules.perIp],
      [`login:account:${input.email}`, loginRules.perAccount],
    ],
    'Too many sign-in attempts. Wait a few minutes, or reset your password.',
  );
  const candidate = await pool.maybeOne(
    sql.type(z.object({ user_id: z.string(), password_hash: z.string().nullable() }))`
      select user_id, password_hash from app_public.login_candidate(${input.email})
    `,
  );
  const valid = await verifyPassword(candidate?.password_hash, input.password);
  if (!candidate || !valid)
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password.' });
  return { userId: candidate.user_id, session: await createSession(pool, candidate.user_id, client) };
}

export async function listWorkspaces(db: CommonQueryMethods, userId: string) {
  const rows = await db.any(
    sql.type(
      z.object({
        tenant_id: z.string(),
        name: z.string(),
        slug: z.string(),
        role: z.string(),
        status: z.string(),
        joined_at: z.string(),
      }),
    )`select * from app_public.my_workspaces(${userId})`,
  );
  return rows.map((row) =>
    workspaceSchema.parse({
      tenantId: row.tenant_id,
      name: row.name,
      slug: row.slug,
      role: row.role,
      status: row.status,
      joinedAt: row.joined_at,
    }),
  );
}

export async function changePassword(
  tx: Tx,
  userId: string,
  sessionId: string | null,
  currentPassword: string,
  newPassword: string,
) {
  const current = await tx.maybeOneFirst(
    sql.type(
      z.object({ hash: z.string().nullable() }),
    )`select app_public.user_password_hash(${userId}) as hash`,
  );
  if (!(await verifyPassword(current, currentPassword))) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Your current password is not correct.' });
  }
  await tx.query(
    sql.unsafe`select app_public.set_password_hash(${userId}, ${await hashPassword(newPassword)})`,
  );
  // Anyone holding an old session (a stolen laptop, say) is signed out; this one stays.
  await tx.query(sql.unsafe`select app_public.delete_user_sessions(${userId}, ${sessionId})`);
}

const resetLifetimeMs = 60 * 60 * 1000;

/** Emails a one-time reset link when the account exists; answers the same either way. */
export async function requestPasswordReset(
  pool: DatabasePool,
  email: string,
  client: ClientInfo,
  mailer: Mailer,
  publicUrl: string,
) {
  await throttle(
    pool,
    [
      [`reset:ip:${client.ip}`, loginRules.perIp],
      [`reset:account:${email}`, loginRules.resetPerAccount],
    ],
    'Too many reset requests; check your inbox or try again later.',
  );
  const token = generateToken();
  const account = await pool.maybeOne(
    sql.type(z.object({ user_id: z.string(), email: z.string(), display_name: z.string() }))`
      select * from app_public.create_password_reset(${email}, ${hashToken(token)}, ${new Date(Date.now() + resetLifetimeMs).toISOString()})
    `,
  );
  if (!account) return;
  const link = `${publicUrl}/reset-password?token=${token}`;
  await mailer.send({
    to: account.email,
    subject: 'Reset your Parley password',
    text: `Hello ${account.display_name},\n\nOpen this link within an hour to choose a new password:\n${link}\n\nIf you did not ask for this, ignore this email; your password stays as it is.`,
  });
}

export async function resetPassword(tx: Tx, token: string, newPassword: string) {
  await tx.query(
    sql.unsafe`select app_public.consume_password_reset(${hashToken(token)}, ${await hashPassword(newPassword)})`,
  );
}
