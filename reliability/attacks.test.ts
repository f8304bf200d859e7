import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listProcedures } from '../server/test/procedures.ts';
import { setupTestDatabase } from '../server/test/db.ts';
import { basePort, ParleyProcess, recordFigures, recordSecret, workspaceWithChannel } from './harness.ts';

/**
 * Promise 6, against the production process over real sockets (what the in-process suites cannot
 * show): path traversal on media and static routes, SQL metacharacters in every search and filter,
 * oversized bodies, slow-loris connections, and a password reset whose link must not reach the logs
 * (the suite's closing gate reads every line this process wrote).
 */
const db = setupTestDatabase();
let parley: ParleyProcess;
let session = '';
beforeAll(async () => {
  parley = new ParleyProcess({ name: 'attacks', databaseUrl: db.url, port: basePort + 5, entry: 'harness' });
  await parley.start();
});
afterAll(async () => {
  await parley?.stop();
});

async function trpc(kind: 'query' | 'mutation', path: string, input: unknown, cookie = session) {
  const headers: Record<string, string> = { origin: parley.url, 'content-type': 'application/json' };
  if (cookie) headers.cookie = `parley_session=${cookie}`;
  const response =
    kind === 'query'
      ? await fetch(`${parley.url}/trpc/${path}?input=${encodeURIComponent(JSON.stringify(input))}`, {
          headers,
        })
      : await fetch(`${parley.url}/trpc/${path}`, { method: 'POST', headers, body: JSON.stringify(input) });
  const text = await response.text();
  return { status: response.status, text, setCookie: response.headers.getSetCookie() };
}

describe('attacks on the running process', () => {
  it('signs up, and asks for a password reset whose link stays out of the logs', async () => {
    const email = `attacked-${Date.now()}@example.test`;
    const password = 'attack-suite password 7431';
    recordSecret(password);
    const signedUp = await trpc(
      'mutation',
      'auth.signUp',
      {
        email,
        password,
        displayName: 'Target',
        workspaceName: 'Target shop',
      },
      '',
    );
    expect(signedUp.status, signedUp.text).toBe(200);
    session = /parley_session=([^;]+)/.exec(signedUp.setCookie.join(';'))?.[1] ?? '';
    expect(session).not.toBe('');
    recordSecret(session);
    const reset = await trpc('mutation', 'auth.requestPasswordReset', { email }, '');
    expect(reset.status, reset.text).toBeLessThan(500);
    const ids = {
      wabaId: '310000000000601',
      phoneNumberId: '420000000000601',
      displayPhoneNumber: '15550666601',
    };
    await workspaceWithChannel(db.url, ids);
  });

  it('refuses path traversal on media and static routes without leaking a file', async () => {
    const probes = [
      '/media/..%2F..%2F..%2Fetc%2Fpasswd',
      '/media/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
      '/media/....%2F%2F....%2F%2Fetc%2Fpasswd/thumbnail',
      '/media/..%5C..%5Cpackage.json',
      '/media/%00',
      `/media/${'..%2F'.repeat(12)}etc%2Fpasswd`,
      '/assets/..%2F..%2F..%2Fetc%2Fpasswd',
      '/assets/%2e%2e/%2e%2e/package.json',
      '/%2e%2e/%2e%2e/etc/passwd',
      '/..%2f..%2fpackage.json',
      '/favicon.ico/..%2f..%2f..%2fetc%2fpasswd',
    ];
    const outcomes: number[] = [];
    for (const probe of probes) {
      for (const cookie of [session, '']) {
        const response = await fetch(`${parley.url}${probe}`, {
          headers: cookie ? { cookie: `parley_session=${cookie}` } : {},
        });
        const text = await response.text();
        outcomes.push(response.status);
        expect(response.status, probe).toBeLessThan(500);
        expect(text, probe).not.toMatch(
          /root:.*:0:0:|"name": "parley"|PARLEY_ENCRYPTION|BEGIN [A-Z ]*PRIVATE KEY/,
        );
      }
    }
    recordFigures('6a path traversal probes', {
      probes: outcomes.length,
      statuses: JSON.stringify(
        Object.fromEntries([...new Set(outcomes)].map((s) => [s, outcomes.filter((o) => o === s).length])),
      ),
      leaks: 0,
    });
  });

  it('answers SQL metacharacters in every search and filter without a 5xx', async () => {
    const metacharacters = [
      "'",
      "''; drop table app_public.messages; --",
      '%',
      '_',
      '\\',
      '%_%',
      "' or '1'='1",
      '$1',
      '\u0000',
      ')',
      'ILIKE',
      '*',
    ];
    const filtered = listProcedures().filter((procedure) => {
      if (procedure.type !== 'query' || !procedure.input) return false;
      const shape = (procedure.input as unknown as { _zod: { def: { shape?: Record<string, unknown> } } })
        ._zod.def.shape;
      return shape && Object.keys(shape).some((key) => /search|query|filter|^q$|text|name|label/i.test(key));
    });
    let calls = 0;
    const failures: string[] = [];
    for (const procedure of filtered) {
      const shape = (procedure.input as unknown as { _zod: { def: { shape: Record<string, unknown> } } })._zod
        .def.shape;
      const keys = Object.keys(shape).filter((key) => /search|query|filter|^q$|text|name|label/i.test(key));
      for (const value of metacharacters) {
        const result = await trpc(
          'query',
          procedure.path,
          Object.fromEntries(keys.map((key) => [key, value])),
        );
        calls++;
        if (result.status >= 500)
          failures.push(`${procedure.path} ${JSON.stringify(value)}: ${result.status}`);
      }
    }
    recordFigures('6b SQL metacharacters in searches', {
      procedures: filtered.length,
      calls,
      '5xx': failures.length,
    });
    expect(failures).toEqual([]);
    expect(filtered.length).toBeGreaterThan(0);
  });

  it('refuses oversized bodies with 413 and closes slow-loris connections, still serving others', async () => {
    const big = 'x'.repeat(2 * 1024 * 1024);
    const oversized = await Promise.all([
      fetch(`${parley.url}/trpc/auth.signIn`, {
        method: 'POST',
        headers: { origin: parley.url, 'content-type': 'application/json' },
        body: JSON.stringify({ email: big, password: big }),
      }).then(
        (response) => response.status,
        () => 0,
      ),
      fetch(`${parley.url}/webhooks/whatsapp/${'a'.repeat(32)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-hub-signature-256': 'sha256=00' },
        body: `{"a":"${big}"}`,
      }).then(
        (response) => response.status,
        () => 0,
      ),
    ]);

    // Forty connections that send a header line every 2 s and never finish their request.
    const started = Date.now();
    const lorises = Array.from(
      { length: 40 },
      () =>
        new Promise<number>((resolve) => {
          const socket = net.connect(basePort + 5, '127.0.0.1', () => {
            socket.write('POST /trpc/auth.signIn HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          });
          const drip = setInterval(() => socket.write(`X-Drip-${Date.now()}: 1\r\n`), 2_000);
          const done = () => {
            clearInterval(drip);
            resolve((Date.now() - started) / 1000);
          };
          socket.on('close', done);
          socket.on('error', () => socket.destroy());
          socket.resume();
          setTimeout(() => socket.destroy(), 120_000);
        }),
    );
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    const readyStarted = Date.now();
    const ready = await fetch(`${parley.url}/readyz`).then((response) => response.status);
    const readyMs = Date.now() - readyStarted;
    const closedAfter = await Promise.all(lorises);
    recordFigures('6c oversized and slow-loris', {
      'oversized statuses': oversized.join('/'),
      'slow-loris sockets': lorises.length,
      'closed by server after s (max)': Math.max(...closedAfter).toFixed(0),
      'readyz meanwhile': ready,
      'readyz ms': readyMs,
      exits: parley.unexpectedExits,
    });
    // 413, or the connection closed by the server once the limit passed (the client was still writing).
    expect([413, 0]).toContain(oversized[0]);
    // A webhook for an unknown app key is refused before its body is read (401), a known one's at 413.
    expect([413, 401, 0]).toContain(oversized[1]);
    expect(ready).toBe(200);
    expect(Math.max(...closedAfter)).toBeLessThan(100);
    expect(parley.unexpectedExits).toBe(0);
  });
});
