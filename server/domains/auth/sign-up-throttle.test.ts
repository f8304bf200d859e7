import { describe, expect, it } from 'vitest';
import { setupTestApp } from '../../test/app.ts';
import { call } from '../../test/http-client.ts';

/** Sign-ups are limited per client address, by SIGNUPS_PER_HOUR (here 3): a burst, then refused. */
const parley = setupTestApp({ env: { SIGNUPS_PER_HOUR: '3' } });

let sequence = 0;
const signUp = (ip: string) =>
  call(
    parley.app,
    'mutation',
    'auth.signUp',
    {
      email: `limit-${++sequence}-${Date.now()}@example.test`,
      password: 'a long enough password',
      displayName: `Limit ${sequence}`,
      workspaceName: `Limit Shop ${sequence}`,
    },
    { ip },
  );

describe('sign-up throttling', () => {
  it('lets one address create SIGNUPS_PER_HOUR accounts, then refuses it and not another address', async () => {
    for (let i = 0; i < 3; i++) expect((await signUp('10.40.0.1')).status).toBe(200);
    const refused = await signUp('10.40.0.1');
    expect(refused.status).toBe(429);
    expect(refused.error?.message).toBe('Too many sign-ups from this address; try again later.');
    expect((await signUp('10.40.0.2')).status).toBe(200);
  });
});
