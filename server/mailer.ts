import nodemailer from 'nodemailer';
import type { Logger } from './logger.ts';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Outgoing email (password resets, invitations). Pluggable: SMTP or an API can implement it. */
export interface Mailer {
  send(message: MailMessage): Promise<void>;
}

/**
 * The default when no mail transport is configured. In development the message, link included, goes
 * to the log so a developer can follow it. In production a log is no place for reset and invitation
 * links (whoever reads logs could take over accounts), so only the fact that nothing was sent is logged.
 */
export function createLogMailer(logger: Logger, options: { production: boolean }): Mailer {
  return {
    async send(message) {
      if (options.production) {
        logger.warn(
          { mail: { to: message.to, subject: message.subject } },
          'email not sent: no mail transport is configured',
        );
        return;
      }
      logger.info(
        { mail: { to: message.to, subject: message.subject, text: message.text } },
        'email (log mailer, development only)',
      );
    },
  };
}

/**
 * Mail through an SMTP server (SMTP_URL, e.g. smtps://user:pass@smtp.example.com:465 or
 * smtp://relay:587, which upgrades with STARTTLS when offered). Nodemailer keeps one pooled
 * connection; a refused message throws, so the caller (or its job) can retry.
 */
export function createSmtpMailer(smtpUrl: string, from: string, logger: Logger): Mailer {
  const transport = nodemailer.createTransport(smtpUrl, { from });
  return {
    async send(message) {
      const info = await transport.sendMail({ to: message.to, subject: message.subject, text: message.text });
      // Never the text: it holds sign-in links.
      logger.info({ mail: { to: message.to, subject: message.subject, id: info.messageId } }, 'email sent');
    },
  };
}
