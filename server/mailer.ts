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

/** The default for self-hosting without mail set up: the message, link included, goes to the log. */
export function createLogMailer(logger: Logger): Mailer {
  return {
    async send(message) {
      logger.info(
        { mail: { to: message.to, subject: message.subject, text: message.text } },
        'email (log mailer)',
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
