import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp } from './test/accounts.ts';
import { buildTestApp } from './test/app.ts';
import { setupTestDatabase } from './test/db.ts';
import { eventually } from './test/eventually.ts';
import { call } from './test/http-client.ts';

interface Received {
  from: string;
  to: string[];
  raw: string;
}

/** A throwaway SMTP server on 127.0.0.1 that keeps what it is given. */
async function startSmtpServer() {
  const received: Received[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        received.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((rcpt) => rcpt.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((r) => server.close(r)),
  };
}

const db = setupTestDatabase();
let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
let app: FastifyInstance;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await buildTestApp(db.url, {
    workers: true,
    env: {
      SMTP_URL: smtp.url,
      SMTP_FROM: 'Parley <inbox@shop.example>',
      PUBLIC_URL: 'https://inbox.shop.example',
    },
  });
});
afterAll(async () => {
  await app.close();
  await smtp.close();
});

describe('mail over SMTP (SMTP_URL)', () => {
  it('delivers a real invitation mail, with its link, to the SMTP server', async () => {
    const owner = await signUpViaHttp(app, { workspaceName: 'Jacket Shop' });
    const invited = await call(
      app,
      'mutation',
      'invitation.create',
      { email: 'new.agent@shop.example', role: 'agent' },
      { cookie: owner.token },
    );
    expect(invited.status, JSON.stringify(invited.error)).toBe(200);
    const mail = await eventually(
      async () => smtp.received.find((m) => m.to.includes('new.agent@shop.example')),
      'the invitation mail',
    );
    expect(mail.from).toBe('inbox@shop.example');
    expect(mail.raw).toMatch(/^Subject: You are invited to Jacket Shop on Parley/m);
    expect(mail.raw).toContain('https://inbox.shop.example/invite/');
  });
});
