import { beforeAll, describe, expect, it } from 'vitest';
import { signUpViaHttp, type SignedUp } from '../test/accounts.ts';
import { setupTestApp } from '../test/app.ts';
import { call } from '../test/http-client.ts';

/** What people read when their input is refused: a sentence naming the field, never zod's wording. */
const parley = setupTestApp();
let owner: SignedUp;
beforeAll(async () => {
  owner = await signUpViaHttp(parley.app);
});

const fieldErrors = (error: unknown) =>
  (error as { data: { zodError: { fieldErrors: Record<string, string[]> } } }).data.zodError.fieldErrors;

describe('refused input is explained in sentences', () => {
  it('a too-long name: "Name must be at most 80 characters."', async () => {
    const result = await call(
      parley.app,
      'mutation',
      'apiKey.create',
      { name: 'k'.repeat(81), scopes: ['read'] },
      { cookie: owner.token },
    );
    expect(result.status).toBe(400);
    expect(result.error?.message).toBe('Name must be at most 80 characters.');
    expect(fieldErrors(result.error).name).toEqual(['Name must be at most 80 characters.']);
  });

  it('a too-long workspace name, a bad id and a missing field each name their field', async () => {
    const tenant = await call(
      parley.app,
      'mutation',
      'tenant.create',
      { name: 'w'.repeat(121) },
      { cookie: owner.token },
    );
    expect(tenant.error?.message).toBe('Name must be at most 120 characters.');
    const role = await call(
      parley.app,
      'mutation',
      'member.changeRole',
      { userId: 'not-an-id', role: 'admin' },
      { cookie: owner.token },
    );
    expect(role.error?.message).toBe('User id must be a valid id.');
    const signUp = await call(parley.app, 'mutation', 'auth.signUp', {
      password: 'long enough password',
      displayName: 'Ann',
      workspaceName: 'Shop',
    });
    expect(signUp.error?.message).toBe('Email is required.');
  });

  it('a NUL character or a broken surrogate in any text is a 400, not a 500', async () => {
    const cases = [
      ['mutation', 'apiKey.create', { name: 'CRM\u0000', scopes: ['read'] }, 'Name'],
      ['mutation', 'tenant.create', { name: 'Shop\u0000' }, 'Name'],
      [
        'mutation',
        'auth.signUp',
        {
          email: 'nul@example.test',
          password: 'long enough password',
          displayName: 'A\u0000',
          workspaceName: 'W',
        },
        'Display name',
      ],
      ['query', 'webhook.list', { field: 'messages\u0000' }, 'Field'],
      ['mutation', 'webhook.replay', { field: '\ud800' }, 'Field'],
      ['mutation', 'invitation.create', { email: 'x\u0000@example.test', role: 'agent' }, 'Email'],
    ] as const;
    for (const [kind, path, input, field] of cases) {
      const result = await call(parley.app, kind, path, input, { cookie: owner.token, ip: '10.60.0.1' });
      expect(result.status, path).toBe(400);
      expect(result.error?.message, path).toMatch(new RegExp(`^${field} contains .*\\.$`));
    }
  });

  it('a control character in a name is refused with what is wrong', async () => {
    const result = await call(
      parley.app,
      'mutation',
      'apiKey.create',
      { name: 'bell\u0007', scopes: ['read'] },
      { cookie: owner.token },
    );
    expect(result.status).toBe(400);
    expect(result.error?.message).toBe('Name contains an invisible control character.');
  });

  it('a control character in a channel name, a reply or a webhook-log filter gets the same readable 400', async () => {
    const refused = [
      await call(
        parley.app,
        'mutation',
        'channel.connect',
        {
          name: 'Shop\u0007',
          metaAppId: '900000000000001',
          appSecret: 'a'.repeat(32),
          verifyToken: 'verify-token',
          wabaId: '310000000000001',
          accessToken: 't'.repeat(40),
        },
        { cookie: owner.token },
      ),
      await call(
        parley.app,
        'mutation',
        'message.send',
        { conversationId: '00000000-0000-4000-8000-000000000000', text: 'hi\u001b[31m' },
        { cookie: owner.token },
      ),
      await call(parley.app, 'query', 'webhook.list', { field: 'messages\u0008' }, { cookie: owner.token }),
    ];
    expect(refused.map((result) => result.status)).toEqual([400, 400, 400]);
    expect(refused.map((result) => result.error?.message)).toEqual([
      'Name contains an invisible control character.',
      'Text contains an invisible control character.',
      'Field contains an invisible control character.',
    ]);
  });
});
