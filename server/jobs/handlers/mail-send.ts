import type { AppServices } from '../../app-services.ts';
import { mailSendPayload, sendPasswordResetMail } from '../../domains/auth/reset-mail-job.ts';
import { registerWorker } from '../boss.ts';
import { queueSettings } from '../queues.ts';

/**
 * mail.send: composes and sends one email (a password reset), so requests never wait on SMTP nor
 * reveal by their timing whether an account exists. Retry policy: queueSettings['mail.send']; dead
 * letters are kept for inspection.
 */
export const queue = 'mail.send';
export const payload = mailSendPayload;
export const policy = queueSettings[queue];

export async function register(services: AppServices): Promise<void> {
  await registerWorker(services.boss, queue, (job) =>
    sendPasswordResetMail(services, payload.parse(job.data)),
  );
}
