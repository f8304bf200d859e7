import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger, redactUrl } from './logger.ts';
import { createLogMailer } from './mailer.ts';
import { testEncryptionKeys } from './test/app.ts';
import { setupTestDatabase } from './test/db.ts';

/** Everything a logger wrote, as one string. */
function captureLogs() {
  const lines: string[] = [];
  return { stream: { write: (line: string) => void lines.push(line) }, text: () => lines.join('') };
}

const db = setupTestDatabase();
const logs = captureLogs();
let app: FastifyInstance;
beforeAll(async () => {
  const config = loadConfig({
    NODE_ENV: 'production',
    LOG_LEVEL: 'info',
    PARLEY_ENCRYPTION_KEYS: testEncryptionKeys,
  });
  app = await buildApp({
    config,
    logger: createLogger('info', logs.stream),
    databaseUrl: db.url,
    workers: false,
  });
});
afterAll(async () => {
  await app.close();
});

describe('secrets stay out of the logs', () => {
  it('the verify token of a webhook verification request is not logged', async () => {
    await app.inject({
      method: 'GET',
      url: '/webhooks/whatsapp/abcdefghijklmnopqrstuv?hub.mode=subscribe&hub.verify_token=VerifyTokenSecret42&hub.challenge=1158201444',
    });
    expect(logs.text()).toContain('/webhooks/whatsapp/abcdefghijklmnopqrstuv');
    expect(logs.text()).not.toContain('VerifyTokenSecret42');
    expect(logs.text()).toContain('hub.verify_token=[redacted]');
  });

  it('reset and invitation links opened in the browser are not logged with their tokens', async () => {
    await app.inject({ method: 'GET', url: '/reset-password?token=resettokensecretvalue' });
    await app.inject({ method: 'GET', url: '/invite/invitetokensecretvalue' });
    expect(logs.text()).not.toContain('resettokensecretvalue');
    expect(logs.text()).not.toContain('invitetokensecretvalue');
  });

  it('redactUrl keeps what helps debugging and hides secret parameters', () => {
    expect(redactUrl('/trpc/webhook.list?input=%7B%7D')).toBe('/trpc/webhook.list?input=%7B%7D');
    expect(redactUrl('/x?hub%2Everify_token=abc&hub.challenge=1')).toBe(
      '/x?hub%2Everify_token=[redacted]&hub.challenge=1',
    );
    expect(redactUrl('/x?access_token=abc')).toBe('/x?access_token=[redacted]');
  });

  it('in production the log mailer logs that mail was not sent, without the link', async () => {
    const mailLogs = captureLogs();
    const mailer = createLogMailer(createLogger('info', mailLogs.stream), { production: true });
    await mailer.send({
      to: 'someone@example.test',
      subject: 'Reset your Parley password',
      text: 'Open https://parley.example/reset-password?token=mailedtokensecret',
    });
    expect(mailLogs.text()).not.toContain('mailedtokensecret');
    expect(mailLogs.text()).toMatch(/"level":40.*email not sent: no mail transport is configured/);
  });

  it('in development the log mailer shows the message so links can be followed', async () => {
    const mailLogs = captureLogs();
    const mailer = createLogMailer(createLogger('info', mailLogs.stream), { production: false });
    await mailer.send({
      to: 'dev@example.test',
      subject: 'Invite',
      text: 'https://localhost/invite/devtoken',
    });
    expect(mailLogs.text()).toContain('https://localhost/invite/devtoken');
  });
});
