import { sql } from 'slonik';
import { describe, expect, it } from 'vitest';
import type { MailMessage } from '../../mailer.ts';
import { signUpViaHttp, type SignedUp } from '../../test/accounts.ts';
import { setupTestApp } from '../../test/app.ts';
import { eventually } from '../../test/eventually.ts';
import { call } from '../../test/http-client.ts';

/**
 * Sign-in throttling protects accounts from guessing without handing strangers a way to lock their
 * owners out: failures count, successes do not, and they count per (account, client address).
 */
const mail: MailMessage[] = [];
const parley = setupTestApp({ workers: true, mailer: { send: async (m) => void mail.push(m) } });

const logIn = (account: SignedUp, ip: string, password = account.password) =>
  call(parley.app, 'mutation', 'auth.logIn', { email: account.email, password }, { ip });

/** As if `minutes` had passed for every throttle bucket. */
const age = (minutes: number) =>
  parley.db.pools.owner.query(sql.unsafe`
    update app_private.login_throttle_buckets set updated_at = updated_at - make_interval(mins => ${minutes})
  `);

describe('sign-in throttling', () => {
  it('locks a guesser’s address out of the account after 5 failures, not the owner at theirs', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await logIn(owner, '10.30.0.66', `guess number ${attempt}`)).status).toBe(401);
    }
    const guesser = await logIn(owner, '10.30.0.66'); // even the right password, from there
    expect(guesser.status).toBe(429);
    expect(guesser.error?.message).toMatch(/Too many sign-in attempts/);
    expect((await logIn(owner, '10.30.0.1')).status).toBe(200);
  });

  it('keeps the owner in while a stranger tries once every 3 minutes', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let round = 0; round < 10; round++) {
      expect([401, 429]).toContain((await logIn(owner, '10.31.0.66', `round ${round} guess`)).status);
      expect((await logIn(owner, '10.31.0.1')).status).toBe(200);
      await age(3);
    }
  });

  it('does not charge successful sign-ins: twenty in a row from one address all succeed', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let attempt = 0; attempt < 20; attempt++) {
      expect((await logIn(owner, '10.32.0.1')).status).toBe(200);
    }
  });

  it('forgives failures once the right password is given', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let round = 0; round < 3; round++) {
      for (let typo = 0; typo < 4; typo++) {
        expect((await logIn(owner, '10.33.0.1', `typo ${round}-${typo} here`)).status).toBe(401);
      }
      expect((await logIn(owner, '10.33.0.1')).status).toBe(200);
    }
  });

  it('stops guessing spread over many addresses at a per-account ceiling of 100 failures an hour', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let address = 0; address < 25; address++) {
      for (let attempt = 0; attempt < 4; attempt++) {
        expect((await logIn(owner, `10.34.1.${address}`, `spread ${address}-${attempt}`)).status).toBe(401);
      }
    }
    expect((await logIn(owner, '10.34.2.1', 'one more guess')).status).toBe(429);
  });

  it('counts an IPv6 guesser by its /64 network, since each subscriber has a whole one', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let attempt = 0; attempt < 5; attempt++) {
      expect((await logIn(owner, `2001:db8:66:1::${attempt + 1}`, `v6 guess ${attempt}`)).status).toBe(401);
    }
    expect((await logIn(owner, '2001:db8:66:1::ffff')).status).toBe(429);
    expect((await logIn(owner, '2001:db8:77:1::1')).status).toBe(200);
  });

  it('lifts the lock when the owner completes a password reset', async () => {
    const owner = await signUpViaHttp(parley.app);
    for (let attempt = 0; attempt < 5; attempt++) {
      await logIn(owner, '10.35.0.1', `forgotten ${attempt} pass`);
    }
    expect((await logIn(owner, '10.35.0.1')).status).toBe(429);
    await call(
      parley.app,
      'mutation',
      'auth.requestPasswordReset',
      { email: owner.email },
      { ip: '10.35.0.1' },
    );
    const sent = await eventually(async () => mail.find((m) => m.to === owner.email), 'the reset email');
    const token = /reset-password\?token=([a-z2-7]+)/.exec(sent.text)?.[1] ?? '';
    const reset = await call(parley.app, 'mutation', 'auth.resetPassword', {
      token,
      newPassword: 'remembered now',
    });
    expect(reset.status).toBe(200);
    expect((await logIn(owner, '10.35.0.1', 'remembered now')).status).toBe(200);
  });
});
