import { randomBytes } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { PgBoss } from 'pg-boss';
import type { CommonQueryMethods } from 'slonik';
import type { z } from 'zod';
import { mutableRows } from '../../db/rows.ts';
import type { InTransaction, Tx } from '../../db/tx.ts';
import { acceptInvitation } from '../members/queries.ts';
import { hashPassword, candidateHash } from './passwords.ts';
import {
  changePassword as changePasswordQuery,
  consumePasswordReset,
  createWorkspace as createWorkspaceQuery,
  deleteSession,
  deleteUserSessions,
  logIn as logInQuery,
  loginChallenge,
  registerAccount,
  slugTaken,
  userProfile,
  workspaces,
} from './queries.ts';
import type { sessionUserSchema, workspaceSchema } from './schemas.ts';
import { newSession, type NewSession } from './sessions.ts';
import { loginRules, throttle } from './throttle.ts';
import { hashToken } from './tokens.ts';

export interface ClientInfo {
  ip: string | undefined;
  userAgent: string | undefined;
}

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
    if (await tx.oneFirst(slugTaken(slug))) continue;
    return tx.oneFirst(createWorkspaceQuery(sessionId, name, slug));
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
  signUpsPerHour: number,
): Promise<{ userId: string; session: NewSession }> {
  await throttle(
    db,
    [[`signup:ip:${client.ip}`, { rate: signUpsPerHour / 3600, burst: signUpsPerHour }]],
    'Too many sign-ups from this address; try again later.',
  );
  const passwordHash = await hashPassword(input.password);
  const session = newSession();
  return inPlatform(async (tx) => {
    const userId = await tx.oneFirst(
      registerAccount({
        email: input.email,
        displayName: input.displayName,
        passwordHash,
        sessionId: session.id,
        expiresAt: session.expiresAt.toISOString(),
        userAgent: client.userAgent ?? null,
        ip: client.ip ?? null,
      }),
    );
    if (input.workspaceName) await createWorkspace(tx, session.id, input.workspaceName);
    if (input.invitationToken) await tx.query(acceptInvitation(hashToken(input.invitationToken), session.id));
    return { userId, session };
  });
}

/** The account's argon2 parameters and salt, and whether sign-in attempts from `ip` are throttled. */
function challenge(db: CommonQueryMethods, email: string, ip: string | null) {
  return db.one(loginChallenge(email, ip));
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
    logInQuery({
      email: input.email,
      ip,
      candidate,
      sessionId: session.id,
      expiresAt: session.expiresAt.toISOString(),
      userAgent: client.userAgent ?? null,
    }),
  );
  if (!userId) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Wrong email or password.' });
  return { userId, session };
}

export function listWorkspaces(
  db: CommonQueryMethods,
  sessionId: string,
): Promise<z.infer<typeof workspaceSchema>[]> {
  return mutableRows(db.any(workspaces(sessionId)));
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
  const changed = await db.oneFirst(changePasswordQuery(session.id, candidate, newHash));
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
  await tx.query(consumePasswordReset(hashToken(token), await hashPassword(newPassword)));
}

export interface Me {
  user: z.infer<typeof sessionUserSchema>;
  activeTenantId: string | null;
  workspaces: z.infer<typeof workspaceSchema>[];
}

/**
 * Who is signed in with the session, their workspaces and the active one (after signing in, the
 * first workspace); null when the session's user is gone.
 */
export async function me(
  db: CommonQueryMethods,
  sessionId: string,
  activeTenantId: string | null,
): Promise<Me | null> {
  const user = await db.maybeOne(userProfile(sessionId));
  if (!user) return null;
  return { user, activeTenantId, workspaces: await listWorkspaces(db, sessionId) };
}

/** `me` right after signing in: the first workspace is the active one. */
export async function meAfterSignIn(db: CommonQueryMethods, sessionId: string): Promise<Me | null> {
  const result = await me(db, sessionId, null);
  return result && { ...result, activeTenantId: result.workspaces[0]?.tenantId ?? null };
}

/** Ends one session (nothing when it is already gone). */
export async function logOut(db: CommonQueryMethods, sessionId: string): Promise<void> {
  await db.query(deleteSession(sessionId));
}

/** Ends every session of the session's user, this one included; how many ended. */
export function logOutEverywhere(db: CommonQueryMethods, sessionId: string): Promise<number> {
  return db.oneFirst(deleteUserSessions(sessionId, false));
}
