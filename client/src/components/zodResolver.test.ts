import { describe, expect, it } from 'vitest';
import { loginInput, signUpInput } from '../../../server/domains/auth/schemas.ts';
import { connectChannelInput } from '../../../server/domains/channels/schemas.ts';
import { zodResolver } from './zodResolver.ts';

describe('form validation in the browser uses the server’s schemas and the server’s words', () => {
  it('gives each field the sentence the server would give', () => {
    const errors = zodResolver(signUpInput)({
      displayName: '',
      email: 'not an email',
      password: 'short',
      workspaceName: 'Jacket Shop',
    });
    expect(errors).toEqual({
      displayName: 'Enter your name.',
      email: 'Enter a valid email address.',
      password: 'Use at least 10 characters.',
    });
  });

  it('never shows zod’s developer wording for a limit the schema did not word', () => {
    const errors = zodResolver(connectChannelInput)({
      name: 'x'.repeat(81),
      metaAppId: '1',
      appSecret: 'a'.repeat(16),
      verifyToken: 'token123',
      wabaId: '2',
      accessToken: 'a'.repeat(20),
    });
    expect(errors).toEqual({ name: 'Name must be at most 80 characters.' });
  });

  it('accepts valid input (before the server’s own transforms, such as lower-casing the email)', () => {
    expect(zodResolver(loginInput)({ email: ' Ada@Example.TEST ', password: 'whatever' })).toEqual({});
  });
});
