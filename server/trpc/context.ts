import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import { TRPCError } from '@trpc/server';
import type { AppServices } from '../app-services.ts';
import { toTRPCError } from '../db/errors.ts';
import { authenticateApiKey, bearerToken, type ApiKeyIdentity } from '../domains/apiKeys/authenticate.ts';
import {
  httpSessionCookies,
  memorySessionCookies,
  validateSessionToken,
  type SessionCookies,
} from '../domains/auth/sessions.ts';
import type { Role } from '../domains/members/roles.ts';
import type { Logger } from '../logger.ts';

export interface SessionUser {
  id: string;
  email: string;
  displayName: string;
  isPlatformAdmin: boolean;
}

export interface ActiveMembership {
  tenantId: string;
  role: Role;
  tenantStatus: 'active' | 'suspended';
}

export interface ContextInner {
  services: AppServices;
  logger: Logger;
  requestId: string;
  ip: string | undefined;
  userAgent: string | undefined;
  /** Signed in through a session cookie. */
  user: SessionUser | null;
  session: { id: string; expiresAt: string } | null;
  /** The active workspace of the session user. */
  membership: ActiveMembership | null;
  /** Called with `Authorization: Bearer <api key>`; tenant-bound, no user. */
  apiKey: ApiKeyIdentity | null;
  cookies: SessionCookies;
}

type Identity = Pick<ContextInner, 'user' | 'session' | 'membership' | 'apiKey'>;

/** The context without HTTP: what tests build directly for `createCaller`. */
export function createContextInner(
  services: AppServices,
  identity: Partial<Identity & Pick<ContextInner, 'requestId' | 'cookies' | 'ip'>> = {},
): ContextInner {
  const requestId = identity.requestId ?? 'internal';
  return {
    services,
    logger: services.logger.child({ reqId: requestId }),
    requestId,
    ip: identity.ip ?? '127.0.0.1',
    userAgent: undefined,
    user: identity.user ?? null,
    session: identity.session ?? null,
    membership: identity.membership ?? null,
    apiKey: identity.apiKey ?? null,
    cookies: identity.cookies ?? memorySessionCookies(),
  };
}

/** Resolves who is calling: an API key (Authorization header) or a session cookie, else anonymous. */
export async function resolveIdentity(
  services: AppServices,
  authorization: string | undefined,
  cookies: SessionCookies,
): Promise<Identity> {
  const anonymous: Identity = { user: null, session: null, membership: null, apiKey: null };
  const token = bearerToken(authorization);
  if (authorization !== undefined) {
    const apiKey = token ? await authenticateApiKey(services.pools.app, token) : null;
    if (!apiKey) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Invalid or revoked API key.' });
    return { ...anonymous, apiKey };
  }
  const sessionToken = cookies.read();
  if (!sessionToken) return anonymous;
  const session = await validateSessionToken(services.pools.app, sessionToken);
  if (!session) {
    cookies.clear();
    return anonymous;
  }
  cookies.set(sessionToken, new Date(session.expiresAt)); // keeps the browser's expiry in step with the slide
  return {
    user: {
      id: session.userId,
      email: session.email,
      displayName: session.displayName,
      isPlatformAdmin: session.isPlatformAdmin,
    },
    session: { id: session.id, expiresAt: session.expiresAt },
    membership:
      session.tenantId && session.role && session.tenantStatus
        ? { tenantId: session.tenantId, role: session.role, tenantStatus: session.tenantStatus }
        : null,
    apiKey: null,
  };
}

/** The context for an HTTP request. */
export function createContextFactory(services: AppServices) {
  return async ({ req, res }: CreateFastifyContextOptions): Promise<ContextInner> => {
    const cookies = httpSessionCookies(services.config, req, res);
    // Runs before any procedure middleware, so database errors here (an outage) are mapped here too.
    const identity = await resolveIdentity(services, req.headers.authorization, cookies).catch(
      (error: unknown) => {
        throw toTRPCError(error) ?? error;
      },
    );
    return {
      ...createContextInner(services, { requestId: req.id, cookies, ip: req.ip }),
      ...identity,
      logger: req.log.child({
        userId: identity.user?.id,
        tenantId: identity.membership?.tenantId ?? identity.apiKey?.tenantId,
      }),
      userAgent: req.headers['user-agent'],
    };
  };
}

export type Context = ContextInner;
