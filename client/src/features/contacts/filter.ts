import type { RouterInputs } from '../../trpc.ts';
import type { AttributeDefinition } from './AttributeInput.tsx';

export type Condition = NonNullable<
  NonNullable<RouterInputs['contact']['list']['filter']>['attributes']
>[number];

/** An attribute condition as typed in the filter bar (value as text), or null while incomplete. */
export interface DraftCondition {
  key: string | null;
  op: Condition['op'];
  value: string;
}

export function toCondition(draft: DraftCondition, definitions: AttributeDefinition[]): Condition | null {
  const definition = definitions.find((d) => d.key === draft.key);
  if (!definition) return null;
  const key = definition.key;
  if (draft.op === 'set' || draft.op === 'notSet') return { key, op: draft.op };
  if (!draft.value.trim()) return null;
  const typed =
    definition.type === 'number'
      ? Number(draft.value)
      : definition.type === 'boolean'
        ? ['yes', 'true', '1'].includes(draft.value.trim().toLowerCase())
        : draft.value.trim();
  if (typeof typed === 'number' && Number.isNaN(typed)) return null;
  if (draft.op === 'contains') return { key, op: 'contains', value: String(typed) };
  if (draft.op === 'is' || draft.op === 'isNot') return { key, op: draft.op, value: typed };
  if (draft.op === 'in' || typeof typed === 'boolean') return null;
  return { key, op: draft.op, value: typed };
}
