import { z } from 'zod';
import { text } from '../../trpc/text.ts';

export const emailSchema = z
  .string()
  .trim()
  .toLowerCase()
  .max(320)
  .pipe(z.email({ message: 'Enter a valid email address.' }));

export const passwordSchema = z
  .string()
  .min(10, 'Use at least 10 characters.')
  .max(200, 'Use at most 200 characters.');

export const displayNameSchema = text({ min: 1, max: 120, tooShort: 'Enter your name.' });

export const workspaceNameSchema = text({ min: 1, max: 120, tooShort: 'Name the workspace.' });

export const signUpInput = z
  .object({
    email: emailSchema,
    password: passwordSchema,
    displayName: displayNameSchema,
    /** Creates a new workspace owned by the new account… */
    workspaceName: workspaceNameSchema.optional(),
    /** …or joins the workspace of an invitation instead. */
    invitationToken: z.string().min(20).max(100).optional(),
  })
  .refine((input) => Boolean(input.workspaceName) !== Boolean(input.invitationToken), {
    message: 'Give either a workspace name (to create one) or an invitation token (to join one).',
    path: ['workspaceName'],
  });

export const loginInput = z.object({ email: emailSchema, password: z.string().min(1).max(200) });

export const requestPasswordResetInput = z.object({ email: emailSchema });

export const resetPasswordInput = z.object({
  token: z.string().min(20).max(100),
  newPassword: passwordSchema,
});

export const changePasswordInput = z.object({
  currentPassword: z.string().min(1).max(200),
  newPassword: passwordSchema,
});

export const sessionUserSchema = z.object({
  id: z.string(),
  email: z.string(),
  displayName: z.string(),
  isPlatformAdmin: z.boolean(),
});

export const workspaceSchema = z.object({
  tenantId: z.string(),
  name: z.string(),
  slug: z.string(),
  role: z.enum(['owner', 'admin', 'agent', 'viewer']),
  status: z.enum(['active', 'suspended']),
  joinedAt: z.string(),
});
