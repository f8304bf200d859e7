import { describe, expect, it } from 'vitest';
import { activeToken, replaceToken, withMentionTokens } from './tokens.ts';

describe('activeToken', () => {
  it('finds "/" and "@" words at the caret, at the start or after a space only', () => {
    expect(activeToken('/tha', 4, '/')).toEqual({ start: 0, query: 'tha' });
    expect(activeToken('Hi /', 4, '/')).toEqual({ start: 3, query: '' });
    expect(activeToken('and/or', 6, '/')).toBeNull();
    expect(activeToken('/thanks you', 11, '/')).toBeNull();
    expect(activeToken('ping @Ada Ag', 12, '@')).toEqual({ start: 5, query: 'Ada Ag' });
    expect(activeToken('mail a@b', 8, '@')).toBeNull();
  });
  it('replaces the token and moves the caret after the insert', () => {
    expect(replaceToken('Hi /th!', 3, 6, 'Thanks')).toEqual({ text: 'Hi Thanks!', caret: 9 });
  });
});

describe('withMentionTokens', () => {
  it('turns "@Name" of members into tokens, the longest name first', () => {
    const members = [
      { id: 'a', name: 'Ada' },
      { id: 'b', name: 'Ada Lovelace' },
    ];
    expect(withMentionTokens('@Ada Lovelace and @Ada, and ada@example', members)).toBe(
      '<@b> and <@a>, and ada@example',
    );
  });
});
