import { sql } from 'slonik';
import { z } from 'zod';
import { roleSchema } from '../members/roles.ts';
import { sessionUserSchema, workspaceSchema } from './schemas.ts';

const idRow = z.object({ id: z.string() });

export const userProfile = (sessionId: string) => sql.type(sessionUserSchema)`
  select id, email, display_name as "displayName", is_platform_admin as "isPlatformAdmin"
  from app_public.user_profile(${sessionId})
`;

export const workspaces = (sessionId: string) => sql.type(workspaceSchema)`
  select tenant_id as "tenantId", name, slug, role, status, joined_at as "joinedAt"
  from app_public.my_workspaces(${sessionId})
`;

export const slugTaken = (slug: string) =>
  sql.type(z.object({ taken: z.boolean() }))`select app_public.platform_slug_taken(${slug}) as taken`;

/** Creates a workspace owned by the session's user and makes it the session's active one. */
export const createWorkspace = (sessionId: string, name: string, slug: string) =>
  sql.type(idRow)`select app_public.create_workspace(${sessionId}, ${name}, ${slug}) as id`;

/** Creates the account and its first session; the user's id. */
export const registerAccount = (account: {
  email: string;
  displayName: string;
  passwordHash: string;
  sessionId: string;
  expiresAt: string;
  userAgent: string | null;
  ip: string | null;
}) => sql.type(idRow)`
  select app_public.register_account(
    ${account.email}, ${account.displayName}, ${account.passwordHash},
    ${account.sessionId}, ${account.expiresAt}, ${account.userAgent}, ${account.ip}
  ) as id
`;

/** The account's argon2 parameters and salt, and whether sign-in attempts from `ip` are throttled. */
export const loginChallenge = (email: string, ip: string | null) =>
  sql.type(z.object({ params: z.string(), throttled: z.boolean() }))`
    select params, throttled from app_public.login_challenge(${email}, ${ip})
  `;

/** The user's id when the candidate hash matches (and a session is stored), else null. */
export const logIn = (attempt: {
  email: string;
  ip: string | null;
  candidate: string;
  sessionId: string;
  expiresAt: string;
  userAgent: string | null;
}) => sql.type(z.object({ id: z.string().nullable() }))`
  select app_public.log_in(
    ${attempt.email}, ${attempt.ip}, ${attempt.candidate},
    ${attempt.sessionId}, ${attempt.expiresAt}, ${attempt.userAgent}
  ) as id
`;

export const changePassword = (sessionId: string, candidate: string, newHash: string) =>
  sql.type(z.object({ changed: z.boolean() }))`
    select app_public.change_password(${sessionId}, ${candidate}, ${newHash}) as changed
  `;

export const consumePasswordReset = (tokenHash: string, passwordHash: string) =>
  sql.unsafe`select app_public.consume_password_reset(${tokenHash}, ${passwordHash})`;

export const deleteSession = (sessionId: string) =>
  sql.unsafe`select app_public.delete_session(${sessionId})`;

/** Ends every session of the session's user (this one too unless `keepThis`); how many ended. */
export const deleteUserSessions = (sessionId: string, keepThis: boolean) =>
  sql.type(
    z.object({ n: z.number() }),
  )`select app_public.delete_user_sessions(${sessionId}, ${keepThis}) as n`;

export const validatedSessionSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  isPlatformAdmin: z.boolean(),
  expiresAt: z.string(),
  tenantId: z.string().nullable(),
  role: roleSchema.nullable(),
  tenantStatus: z.enum(['active', 'suspended']).nullable(),
});

/** The session (by its id) with its user and active membership, its expiry slid forward when due. */
export const validateSession = (sessionId: string, lifetimeDays: number, refreshWithinDays: number) =>
  sql.type(validatedSessionSchema)`
    select user_id as "userId", email, display_name as "displayName", is_platform_admin as "isPlatformAdmin",
           expires_at as "expiresAt", tenant_id as "tenantId", role, tenant_status as "tenantStatus"
    from app_public.validate_session(
      ${sessionId}, make_interval(days => ${lifetimeDays}), make_interval(days => ${refreshWithinDays})
    )
  `;
