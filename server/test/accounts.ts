import type { FastifyInstance } from 'fastify';
import { expect } from 'vitest';
import { call, type OutputOf } from './http-client.ts';

let sequence = 0;

/** Who is signed in, as auth.me answers. */
export type Me = NonNullable<OutputOf<'auth.me'>>;

export interface SignedUp {
  email: string;
  password: string;
  userId: string;
  /** The workspace created at sign-up (or joined through the invitation). */
  tenantId: string;
  /** Session cookie value. */
  token: string;
  me: Me;
}

/** Signs up through the real procedure, from its own client address (sign-ups are throttled per address). */
export async function signUpViaHttp(
  app: FastifyInstance,
  overrides: { email?: string; workspaceName?: string; invitationToken?: string; displayName?: string } = {},
): Promise<SignedUp> {
  sequence++;
  const email = overrides.email ?? `member${sequence}-${process.pid}-${Date.now()}@example.test`;
  const password = 'a long enough password';
  const input = {
    email,
    password,
    displayName: overrides.displayName ?? `Member ${sequence}`,
    ...(overrides.invitationToken
      ? { invitationToken: overrides.invitationToken }
      : { workspaceName: overrides.workspaceName ?? `Workspace ${sequence}` }),
  };
  const result = await call<Me>(app, 'mutation', 'auth.signUp', input, {
    ip: `172.16.${sequence % 250}.${(sequence >> 8) + 1}`,
  });
  expect(result.status, JSON.stringify(result.error)).toBe(200);
  return {
    email,
    password,
    userId: result.data.user.id,
    tenantId: result.data.activeTenantId ?? '',
    token: result.sessionCookie ?? '',
    me: result.data,
  };
}
