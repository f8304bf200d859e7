/** Workspace roles, most to least powerful (server/domains/members/roles.ts), for hiding what a role cannot do. */
const order = ['owner', 'admin', 'agent', 'viewer'] as const;
export type Role = (typeof order)[number];

/** Whether `role` may do what needs at least `minimum`; unknown roles may do nothing. */
export function can(role: string | undefined, minimum: Role): boolean {
  const rank = order.indexOf(role as Role);
  return rank !== -1 && rank <= order.indexOf(minimum);
}
