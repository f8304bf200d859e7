import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import { deleteCanned, insertCanned, shortcutTaken, updateCanned } from './queries.ts';
import type { CannedResponse } from './schemas.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

const taken = (shortcut: string) =>
  new TRPCError({ code: 'CONFLICT', message: `The shortcut “/${shortcut}” is taken; choose another.` });
const notFound = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such canned response.' });

export function createCanned(
  scope: Scope,
  input: { shortcut: string; body: string },
): Promise<CannedResponse> {
  return scope.withTenant(async (tx) => {
    const created = await tx.maybeOne(insertCanned(input.shortcut, input.body));
    if (!created) throw taken(input.shortcut);
    return created;
  });
}

export function editCanned(
  scope: Scope,
  input: { id: string; shortcut: string; body: string },
): Promise<CannedResponse> {
  return scope.withTenant(async (tx) => {
    if (await tx.exists(shortcutTaken(input.shortcut, input.id))) throw taken(input.shortcut);
    const updated = await tx.maybeOne(updateCanned(input.id, input.shortcut, input.body));
    if (!updated) throw notFound();
    return updated;
  });
}

export function removeCanned(scope: Scope, id: string): Promise<void> {
  return scope.withTenant(async (tx) => {
    if (!(await tx.maybeOne(deleteCanned(id)))) throw notFound();
  });
}
