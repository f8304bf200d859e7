import { describe, expect, it } from 'vitest';
import type { ProcedurePath } from './http-client.ts';

describe('typed procedure calls in tests', () => {
  it('name procedures by their paths in AppRouter, so a renamed one fails the typecheck', () => {
    const known: ProcedurePath = 'conversation.list';
    // @ts-expect-error: there is no conversation.lists; `npm test` typechecks, so this line proves the check
    const unknown: ProcedurePath = 'conversation.lists';
    expect([known, unknown]).toHaveLength(2);
  });
});
