import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CommonQueryMethods } from 'slonik';
import type { z } from 'zod';
import type { Config } from '../../config.ts';
import { validateSession, type validatedSessionSchema } from './queries.ts';
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

export interface NewSession {
  token: string;
  /** The token's sha256: what the database stores and what functions taking a session expect. */
  id: string;
  expiresAt: Date;
}

/** A fresh session token; the database stores it when the sign-up or sign-in it belongs to succeeds. */
export function newSession(): NewSession {
  const token = generateToken();
  return {
    token,
    id: hashToken(token),
    expiresAt: new Date(Date.now() + sessionLifetimeDays * 24 * 3600 * 1000),
  };
}

export type ValidatedSession = z.infer<typeof validatedSessionSchema> & { id: string };

/** The session behind a cookie token, with its slid expiry; null when unknown or expired. */
export async function validateSessionToken(
  db: CommonQueryMethods,
  token: string,
): Promise<ValidatedSession | null> {
  if (!/^[a-z2-7]{20,64}$/.test(token)) return null;
  const id = hashToken(token);
  const row = await db.maybeOne(validateSession(id, sessionLifetimeDays, refreshWithinDays));
  return row ? { ...row, id } : null;
}
