import { sql } from 'slonik';
import { z } from 'zod';
import type { AppServices } from '../../app-services.ts';
import { generateToken, hashToken } from './tokens.ts';

/** mail.send: an email to compose and send outside the request that asked for it. */
export const mailSendPayload = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('password-reset'), email: z.string(), requestId: z.string().optional() }),
]);
export type MailSendPayload = z.infer<typeof mailSendPayload>;

const resetLifetimeMs = 60 * 60 * 1000;

const accountRow = z.object({ email: z.string(), displayName: z.string() });

/**
 * The mail.send job for a password reset: creates the one-time token and emails its link when the
 * account exists, else does nothing. It runs with the owner's connection: parley_app may not create
 * reset tokens, so no request (nor SQL run as parley_app) ever holds one.
 */
export async function sendPasswordResetMail(services: AppServices, payload: MailSendPayload): Promise<void> {
  const token = generateToken();
  const expiresAt = new Date(Date.now() + resetLifetimeMs).toISOString();
  const account = await services.pools.owner.maybeOne(sql.type(accountRow)`
    select email, display_name as "displayName"
    from app_private.create_password_reset(${payload.email}, ${hashToken(token)}, ${expiresAt})
  `);
  if (!account) return;
  const link = `${services.config.publicUrl}/reset-password?token=${token}`;
  await services.mailer.send({
    to: account.email,
    subject: 'Reset your Parley password',
    text: `Hello ${account.displayName},\n\nOpen this link within an hour to choose a new password:\n${link}\n\nIf you did not ask for this, ignore this email; your password stays as it is.`,
  });
}
