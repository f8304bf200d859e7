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
