import type { RouterOutputs } from '../trpc.ts';

/** A workspace role as the server returns it (server/domains/members/roles.ts). */
export type Role = NonNullable<RouterOutputs['auth']['me']>['workspaces'][number]['role'];

/** Most to least powerful, for hiding what a role cannot do (the server enforces the same). */
const order: readonly Role[] = ['owner', 'admin', 'agent', 'viewer'];

/** Whether `role` may do what needs at least `minimum`. */
export function can(role: Role, minimum: Role): boolean {
  return order.indexOf(role) <= order.indexOf(minimum);
}
