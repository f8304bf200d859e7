import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { PgBoss } from 'pg-boss';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import type { InTransaction, Tx } from '../../db/tx.ts';
import { hashPassword, candidateHash } from './passwords.ts';
import { workspaceSchema } from './schemas.ts';
import { newSession, type NewSession } from './sessions.ts';
import { loginRules, throttle } from './throttle.ts';
import { hashToken } from './tokens.ts';

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

/**
 * Creates a workspace owned by the session's user and makes it the session's active one, adding a
 * short suffix to its address when the plain one is taken.
 */
export async function createWorkspace(tx: Tx, sessionId: string, name: string): Promise<string> {
  const base = slugify(name);
  for (let attempt = 0; attempt < 5; attempt++) {
    const slug = attempt === 0 ? base : `${base.slice(0, 40)}-${randomBytes(3).toString('hex')}`;
    const taken = await tx.oneFirst(
      sql.type(z.object({ taken: z.boolean() }))`select app_public.platform_slug_taken(${slug}) as taken`,
    );
    if (taken) continue;
    return tx.oneFirst(
      sql.type(uuidRow)`select app_public.create_workspace(${sessionId}, ${name}, ${slug}) as id`,
    );
  }
  throw new TRPCError({
    code: 'CONFLICT',
    message: 'Could not find a free workspace address; try another name.',
  });
}

// Throttling runs before, and outside, the transaction: a refused attempt must still use up a token.
export async function signUp(
  db: CommonQueryMethods,
  inPlatform: InTransaction,
  input: {
    email: string;
    password: string;
    displayName: string;
    workspaceName?: string | undefined;
    invitationToken?: string | undefined;
  },
  client: ClientInfo,
): Promise<{ userId: string; session: NewSession }> {
  await throttle(
    db,
    [[`signup:ip:${client.ip}`, loginRules.signUpPerIp]],
    'Too many sign-ups from this address; try again later.',
  );
  const passwordHash = await hashPassword(input.password);
  const session = newSession();
  return inPlatform(async (tx) => {
    const userId = await tx.oneFirst(
      sql.type(uuidRow)`
        select app_public.register_account(
          ${input.email}, ${input.displayName}, ${passwordHash},
          ${session.id}, ${session.expiresAt.toISOString()}, ${client.userAgent ?? null}, ${client.ip ?? null}
        ) as id
      `,
    );
    if (input.workspaceName) await createWorkspace(tx, session.id, input.workspaceName);
    if (input.invitationToken) {
      await tx.query(
        sql.unsafe`select app_public.accept_invitation(${hashToken(input.invitationToken)}, ${session.id})`,
      );
    }
    return { userId, session };
  });
}

const challengeRow = z.object({ params: z.string(), throttled: z.boolean() });

/** The account's argon2 parameters and salt, and whether sign-in attempts from `ip` are throttled. */
function challenge(db: CommonQueryMethods, email: string, ip: string | null) {
  return db.one(
    sql.type(challengeRow)`select params, throttled from app_public.login_challenge(${email}, ${ip})`,
  );
}

const tooManyAttempts = 'Too many sign-in attempts. Wait a few minutes, or reset your password.';

/**
 * Signs in. The database judges the password (comparing hashes) and throttles failures only, per
 * account and client address (app_public.log_in explains the buckets).
 */
export async function logIn(
  db: CommonQueryMethods,
  input: { email: string; password: string },
  client: ClientInfo,
): Promise<{ userId: string; session: NewSession }> {
  const ip = client.ip ?? null;
  const { params, throttled } = await challenge(db, input.email, ip);
  // Refused before hashing: a throttled guesser costs no argon2 work.
  if (throttled) throw new TRPCError({ code: 'TOO_MANY_REQUESTS', message: tooManyAttempts });
  const candidate = await candidateHash(params, input.password);
  const session = newSession();
  const userId = await db.oneFirst(
    sql.type(z.object({ id: z.string().nullable() }))`
      select app_public.log_in(
        ${input.email}, ${ip}, ${candidate},
        ${session.id}, ${session.expiresAt.toISOString()}, ${client.userAgent ?? null}
      ) as id
    `,
  );
  if (!userId) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password.' });
  return { userId, session };
}

export function listWorkspaces(db: CommonQueryMethods, sessionId: string) {
  return mutableRows(
    db.any(sql.type(workspaceSchema)`
    select tenant_id as "tenantId", name, slug, role, status, joined_at as "joinedAt"
    from app_public.my_workspaces(${sessionId})
  `),
  );
}

/**
 * Changes the session user's password. Anyone holding an old session (a stolen laptop, say) is signed
 * out, this session stays; outstanding reset links stop working.
 */
export async function changePassword(
  db: CommonQueryMethods,
  session: { id: string; email: string },
  currentPassword: string,
  newPassword: string,
) {
  const { params } = await challenge(db, session.email, null);
  const candidate = await candidateHash(params, currentPassword);
  const newHash = await hashPassword(newPassword);
  const changed = await db.oneFirst(
    sql.type(z.object({ changed: z.boolean() }))`
      select app_public.change_password(${session.id}, ${candidate}, ${newHash}) as changed
    `,
  );
  if (!changed) {
    throw new TRPCError({ code: 'BAD_REQUEST', message: 'Your current password is not correct.' });
  }
}

/**
 * Queues the reset email; the job creates the token and writes only when the account exists. The
 * request does the same work either way, so neither its answer nor its timing says who has an account.
 */
export async function requestPasswordReset(
  db: CommonQueryMethods,
  boss: PgBoss,
  input: { email: string; requestId: string },
  client: ClientInfo,
) {
  await throttle(
    db,
    [
      [`reset:ip:${client.ip}`, loginRules.perIp],
      [`reset:account:${input.email}`, loginRules.resetPerAccount],
    ],
    'Too many reset requests; check your inbox or try again later.',
  );
  await boss.send('mail.send', { kind: 'password-reset', email: input.email, requestId: input.requestId });
}

export async function resetPassword(tx: Tx, token: string, newPassword: string) {
  await tx.query(
    sql.unsafe`select app_public.consume_password_reset(${hashToken(token)}, ${await hashPassword(newPassword)})`,
  );
}
