import { describe, expect, it } from 'vitest';
import type { AttributeDefinition } from './AttributeInput.tsx';
import { toCondition } from './filter.ts';

const definitions: AttributeDefinition[] = [
  { key: 'spend', label: 'Spend', type: 'number', options: null },
  { key: 'vip', label: 'VIP', type: 'boolean', options: null },
  { key: 'city', label: 'City', type: 'text', options: null },
  { key: 'birthday', label: 'Birthday', type: 'date', options: null },
];

describe('toCondition (the attribute filter bar → contactFilterSchema)', () => {
  it('types the value as the attribute is typed', () => {
    expect(toCondition({ key: 'spend', op: 'gt', value: '12.5' }, definitions)).toEqual({
      key: 'spend',
      op: 'gt',
      value: 12.5,
    });
    expect(toCondition({ key: 'vip', op: 'is', value: 'yes' }, definitions)).toEqual({
      key: 'vip',
      op: 'is',
      value: true,
    });
    expect(toCondition({ key: 'birthday', op: 'lt', value: '2000-01-01' }, definitions)).toEqual({
      key: 'birthday',
      op: 'lt',
      value: '2000-01-01',
    });
    expect(toCondition({ key: 'city', op: 'set', value: '' }, definitions)).toEqual({
      key: 'city',
      op: 'set',
    });
  });

  it('leaves out what is incomplete or cannot be compared', () => {
    expect(toCondition({ key: 'city', op: 'is', value: ' ' }, definitions)).toBeNull();
    expect(toCondition({ key: 'spend', op: 'gt', value: 'lots' }, definitions)).toBeNull();
    expect(toCondition({ key: 'vip', op: 'gt', value: 'yes' }, definitions)).toBeNull();
    expect(toCondition({ key: 'gone', op: 'is', value: 'x' }, definitions)).toBeNull();
  });
});
