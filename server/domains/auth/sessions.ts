import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sql, type CommonQueryMethods } from 'slonik';
import { z } from 'zod';
import type { Config } from '../../config.ts';
import { roleSchema } from '../members/roles.ts';
import { generateToken, hashToken } from './tokens.ts';

export const sessionCookieName = 'parley_session';
/** Sessions last 30 days and slide forward when used in their second half (Lucia's guidance). */
export const sessionLifetimeDays = 30;
const refreshWithinDays = 15;

export interface SessionCookies {
  read(): string | undefined;
  set(token: string, expiresAt: Date): void;
  clear(): void;
}

/** Cookie access for a real request: HttpOnly, SameSite=Lax, Secure when Parley is served over https. */
export function httpSessionCookies(config: Config, req: FastifyRequest, reply: FastifyReply): SessionCookies {
  const secure = config.publicUrl.startsWith('https://');
  return {
    read: () => req.cookies[sessionCookieName],
    set: (token, expiresAt) =>
      void reply.setCookie(sessionCookieName, token, {
        httpOnly: true,
        sameSite: 'lax',
        secure,
        path: '/',
        expires: expiresAt,
      }),
    clear: () =>
      void reply.clearCookie(sessionCookieName, { httpOnly: true, sameSite: 'lax', secure, path: '/' }),
  };
}

/** For callers without HTTP (tests, createCaller): remembers what would have been set. */
export function memorySessionCookies(initial?: string): SessionCookies & { current: string | undefined } {
  const jar = {
    current: initial,
    read: () => jar.current,
    set: (token: string) => void (jar.current = token),
    clear: () => void (jar.current = undefined),
  };
  return jar;
}

export async function createSession(
  db: CommonQueryMethods,
  userId: string,
  client: { userAgent?: string | undefined; ip?: string | undefined },
): Promise<{ token: string; id: string; expiresAt: Date }> {
  const token = generateToken();
  const id = hashToken(token);
  const expiresAt = new Date(Date.now() + sessionLifetimeDays * 24 * 3600 * 1000);
  await db.query(sql.unsafe`
    select app_public.create_session(${id}, ${userId}, ${expiresAt.toISOString()}, ${client.userAgent ?? null}, ${client.ip ?? null})
  `);
  return { token, id, expiresAt };
}

const validatedSession = z.object({
  user_id: z.string(),
  email: z.string(),
  display_name: z.string(),
  is_platform_admin: z.boolean(),
  expires_at: z.string(),
  tenant_id: z.string().nullable(),
  role: roleSchema.nullable(),
  tenant_status: z.enum(['active', 'suspended']).nullable(),
});
export type ValidatedSession = z.infer<typeof validatedSession> & { id: string };

/** The session behind a cookie token, with its slid expiry; null when unknown or expired. */
export async function validateSessionToken(
  db: CommonQueryMethods,
  token: string,
): Promise<ValidatedSession | null> {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const id = hashToken(token);
  const row = await db.maybeOne(sql.type(validatedSession)`
    select * from app_public.validate_session(
      ${id}, make_interval(days => ${sessionLifetimeDays}), make_interval(days => ${refreshWithinDays})
    )
  `);
  return row ? { ...row, id } : null;
}
