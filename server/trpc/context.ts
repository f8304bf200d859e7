import type { CreateFastifyContextOptions } from '@trpc/server/adapters/fastify';
import type { AppServices } from '../app-services.ts';
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
}

export interface ContextInner {
  services: AppServices;
  logger: Logger;
  requestId: string;
  user: SessionUser | null;
  membership: ActiveMembership | null;
}

/** The context without HTTP: what tests build directly for `createCaller`. */
export function createContextInner(
  services: AppServices,
  identity: Partial<Pick<ContextInner, 'user' | 'membership' | 'requestId'>> = {},
): ContextInner {
  const requestId = identity.requestId ?? 'internal';
  return {
    services,
    logger: services.logger.child({ reqId: requestId }),
    requestId,
    user: identity.user ?? null,
    membership: identity.membership ?? null,
  };
}

/** The context for an HTTP request. Sessions and API keys resolve the user here (accounts issue). */
export function createContextFactory(services: AppServices) {
  return ({ req }: CreateFastifyContextOptions): ContextInner => ({
    ...createContextInner(services, { requestId: req.id }),
    logger: req.log,
  });
}

export type Context = ContextInner;
