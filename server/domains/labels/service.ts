import { TRPCError } from '@trpc/server';
import type { Tx } from '../../db/tx.ts';
import {
  announceConversationLabels,
  announceLabel,
  applyLabel,
  conversationExists,
  deleteLabel,
  insertLabel,
  labelById,
  labelExists,
  labelIdsOf,
  nameTaken,
  removeLabel,
  updateLabel,
} from './queries.ts';
import type { Label } from './schemas.ts';

type Scope = { withTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T> };

const taken = (name: string) =>
  new TRPCError({ code: 'CONFLICT', message: `A label named “${name}” already exists.` });
const noSuchLabel = () => new TRPCError({ code: 'NOT_FOUND', message: 'No such label.' });

async function loaded(tx: Tx, id: string): Promise<Label> {
  const label = await tx.maybeOne(labelById(id));
  if (!label) throw noSuchLabel();
  return label;
}

export function createLabel(scope: Scope, draft: { name: string; color: string }): Promise<Label> {
  return scope.withTenant(async (tx) => {
    const created = await tx.maybeOne(insertLabel(draft.name, draft.color));
    if (!created) throw taken(draft.name);
    await tx.query(announceLabel(created.id));
    return loaded(tx, created.id);
  });
}

export function changeLabel(
  scope: Scope,
  id: string,
  draft: { name: string; color: string },
): Promise<Label> {
  return scope.withTenant(async (tx) => {
    if (await tx.exists(nameTaken(draft.name, id))) throw taken(draft.name);
    if (!(await tx.maybeOne(updateLabel(id, draft.name, draft.color)))) throw noSuchLabel();
    await tx.query(announceLabel(id));
    return loaded(tx, id);
  });
}

/** Deletes a label: it leaves every conversation that carried it (the timeline keeps its name). */
export function removeExistingLabel(scope: Scope, id: string): Promise<void> {
  return scope.withTenant(async (tx) => {
    if (!(await tx.maybeOne(deleteLabel(id)))) throw noSuchLabel();
    await tx.query(announceLabel(id));
  });
}

/**
 * Labels a conversation (on: true) or takes the label off; idempotent. Returns the labels the
 * conversation carries now. A change is recorded in the activity timeline and announced live.
 */
export function setConversationLabel(
  scope: Scope,
  input: { conversationId: string; labelId: string; on: boolean },
): Promise<{ labelIds: string[] }> {
  return scope.withTenant(async (tx) => {
    if (!(await tx.exists(conversationExists(input.conversationId)))) {
      throw new TRPCError({ code: 'NOT_FOUND', message: 'No such conversation.' });
    }
    if (!(await tx.exists(labelExists(input.labelId)))) throw noSuchLabel();
    const changed = await tx.maybeOne(
      input.on
        ? applyLabel(input.conversationId, input.labelId)
        : removeLabel(input.conversationId, input.labelId),
    );
    if (changed) await tx.query(announceConversationLabels(input.conversationId, input.labelId));
    const { labelIds } = await tx.one(labelIdsOf(input.conversationId));
    return { labelIds: [...labelIds] };
  });
}
