import { z } from 'zod';

/** Most to least powerful; matches the app_public.member_role enum. */
export const roles = ['owner', 'admin', 'agent', 'viewer'] as const;
export const roleSchema = z.enum(roles);
export type Role = z.infer<typeof roleSchema>;

/** Whether someone with `actual` may do what requires at least `minimum`. */
export function hasRole(actual: Role, minimum: Role): boolean {
  return roles.indexOf(actual) <= roles.indexOf(minimum);
}
