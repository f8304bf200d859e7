import { NumberInput, Select, TextInput } from '@mantine/core';
import type { RouterOutputs } from '../../trpc.ts';

export type AttributeDefinition = RouterOutputs['contactAttribute']['list'][number];
export type AttributeValue = string | number | boolean | null;

/** One custom attribute's value, with the input its type calls for (empty: no value). */
export function AttributeInput({
  definition,
  value,
  onChange,
  error,
}: {
  definition: AttributeDefinition;
  value: AttributeValue | undefined;
  onChange: (value: AttributeValue) => void;
  error?: string;
}) {
  const common = { label: definition.label, error, 'data-testid': `attribute-${definition.key}` };
  switch (definition.type) {
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(next) => onChange(typeof next === 'number' ? next : null)}
        />
      );
    case 'boolean':
      return (
        <Select
          {...common}
          data={[
            { value: 'true', label: 'Yes' },
            { value: 'false', label: 'No' },
          ]}
          clearable
          value={value === null || value === undefined ? null : String(value)}
          onChange={(next) => onChange(next === null ? null : next === 'true')}
        />
      );
    case 'list':
      return (
        <Select
          {...common}
          data={definition.options ?? []}
          clearable
          value={typeof value === 'string' ? value : null}
          onChange={(next) => onChange(next)}
        />
      );
    case 'date':
      return (
        <TextInput
          {...common}
          type="date"
          value={typeof value === 'string' ? value : ''}
          onChange={(event) => onChange(event.currentTarget.value || null)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          value={value === null || value === undefined ? '' : String(value)}
          onChange={(event) => onChange(event.currentTarget.value || null)}
        />
      );
  }
}

/** A stored value as people read it. */
export function formatAttribute(definition: AttributeDefinition | undefined, value: AttributeValue): string {
  if (value === null) return '';
  if (definition?.type === 'boolean' || typeof value === 'boolean') return value ? 'Yes' : 'No';
  return String(value);
}
