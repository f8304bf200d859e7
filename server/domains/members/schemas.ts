import { z } from 'zod';
import { emailSchema } from '../auth/schemas.ts';
import { roleSchema } from './roles.ts';

export const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  displayName: z.string(),
  role: roleSchema,
  joinedAt: z.string(),
});

export const invitableRoleSchema = z.enum(['admin', 'agent', 'viewer'], {
  message: 'Invite as admin, agent or viewer; make someone owner by transferring ownership.',
});

export const inviteInput = z.object({ email: emailSchema, role: invitableRoleSchema });

export const invitationSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: roleSchema,
  status: z.enum(['pending', 'accepted', 'revoked', 'expired']),
  createdAt: z.string(),
  expiresAt: z.string(),
});

export const changeRoleInput = z.object({ userId: z.uuid(), role: invitableRoleSchema });
export const memberIdInput = z.object({ userId: z.uuid() });
